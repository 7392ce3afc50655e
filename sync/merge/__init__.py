"""The coordinator's merge tools (docs/merge.md): duplicate persons across
workers, same-as links, and the devices view."""
