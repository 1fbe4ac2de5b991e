"""The base layer: what the features and the web layer both need (time, ids and other input rules,
pagination, masking and the ID cipher, principals, spreadsheets, metrics, logging).

Nothing here imports a feature or `server.web`; `tests/test_layers.py` keeps it so.
"""
