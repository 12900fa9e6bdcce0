"""The installed services: every ``Service`` registered under the ``kiosk.services`` group.

The built-in services register there exactly as a third party's would (pyproject.toml).
"""

from __future__ import annotations

import functools
from importlib.metadata import entry_points

from kiosk.services.api import Service
from kiosk.vocabulary.states import CORE_STATES, StateInfo, table

GROUP = "kiosk.services"


class ServiceError(Exception):
    """A service that cannot be hosted; the text names it and what is wrong."""


@functools.cache
def installed_services() -> tuple[Service, ...]:
    """Every registered service, in their idle-screen order."""
    found: list[Service] = []
    for ep in entry_points(group=GROUP):
        try:
            service = ep.load()
        except Exception as exc:  # a third party's import error: name it, do not crash later
            raise ServiceError(f"service {ep.name}: cannot be loaded ({exc})") from None
        if not isinstance(service, Service):
            raise ServiceError(f"service {ep.name}: {ep.value} is not a kiosk Service")
        if service.id != ep.name:
            raise ServiceError(f"service {ep.name}: declares the id {service.id!r}")
        found.append(service)
    if not found:
        raise ServiceError(f"no services are installed (entry points {GROUP}): "
                           "install the kiosk with pip install -e .")
    services = tuple(sorted(found, key=lambda s: (s.order, s.id)))
    check_services(services)
    return services


def state_table(services: tuple[Service, ...]) -> dict[str, StateInfo]:
    """The one table of states: the core's and every service's (each declared once)."""
    states = CORE_STATES + tuple(info for s in services for info in s.states)
    try:
        return table(states)
    except ValueError as exc:
        raise ServiceError(str(exc)) from None


def all_states() -> dict[str, StateInfo]:
    """The state table of the installed services."""
    return state_table(installed_services())


def check_services(services: tuple[Service, ...]) -> None:
    """Ids unique; every state a service names is declared; its states are its own."""
    ids = [s.id for s in services]
    if len(set(ids)) != len(ids):
        raise ServiceError(f"two services share an id: {sorted(ids)}")
    known = state_table(services)
    for s in services:
        for info in s.states:
            if info.service != s.id:
                raise ServiceError(f"service {s.id}: state {info.name} says it is "
                                   f"{info.service or 'the core'}'s")
        named = [s.entry, *s.journey, *([s.after_card] if s.after_card else [])]
        for t in s.transitions:
            named += [t.dest, *((t.source,) if isinstance(t.source, str) else t.source)]
        unknown = sorted({n for n in named if n not in known and n != "*"})
        if unknown:
            raise ServiceError(f"service {s.id}: unknown states {', '.join(unknown)}")
