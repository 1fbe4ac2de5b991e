"""Venue management for administrators: venues, the on-site services they offer, their staff, posters."""
