"""Lead scoring in the warehouse: ingest, score with dbt, gate with Great Expectations, sync to the CRM."""

__version__ = "0.1.0"
