"""A static-site builder for news and history timelines: one YAML file per event."""

__version__ = "0.1.0"
