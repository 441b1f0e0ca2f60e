"""facecurator: curate face-recognition enrollment galleries."""

__version__ = "0.1.0"
