"""The verdict truth set of issue 18: labels, where the photos live, derived variants."""
