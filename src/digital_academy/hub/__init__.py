"""The academy hub: typed settings, pure config builders, and thin runners.

``settings`` (the model) -> ``builders``/``serverconfig``/``helm`` (pure) -> ``files`` (write)
-> ``runner`` (processes). ``spawners``, ``books`` and ``content_ext`` run inside the hub,
its services and learners' servers respectively.
"""
