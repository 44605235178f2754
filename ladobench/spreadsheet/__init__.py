"""The spreadsheet route: the template workbook, reading it back, and starting a new authority."""
