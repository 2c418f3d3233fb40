"""Back-office tests (shifts, success board, audit, users): services and views."""
