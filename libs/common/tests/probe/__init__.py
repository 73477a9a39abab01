"""A tiny service built only from libs/common, so the foundation's tests do not depend on any domain service."""
