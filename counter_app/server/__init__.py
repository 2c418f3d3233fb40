"""The counter-server: the HTTP side of the counter program (terminal API, station results)."""
