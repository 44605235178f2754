"""The open-data downloads: CSV, JSON, the XLSX workbook and the data package."""
