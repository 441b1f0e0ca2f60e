"""The services: catalog, scan jobs, review, export and import, over the domain and the adapters."""
