"""The coordinator's reports and exports: tables, spreadsheets, charts and calendar files."""
