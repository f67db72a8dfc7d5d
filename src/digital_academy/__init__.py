"""An open course framework for a health-service digital academy."""

__version__ = "0.1.0"
