"""Fakes of outside services (WeChat …) that tests talk to over real HTTP on loopback."""
