"""Uploads: photos and materials, decoded and re-encoded without metadata, served to who may see them."""
