"""The world a fuzzed session plays in, as the fuzzer needs it: PINs, towns, registers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kiosk.lab.center.world import World, load_world

HONSEKI_WORLD = Path(__file__).resolve().parents[2] / "tests" / "worlds" / "honseki.toml"


@dataclass(frozen=True)
class FuzzWorld:
    """What the fuzzer knows of a world: its residents' PINs, towns and registers."""

    name: str  # "sample" or the world file's path
    world: World
    pins: dict[str, str]
    codes: tuple[str, ...]
    residents: tuple[str, ...]
    registrants: tuple[str, ...]  # residents who may apply for the 本籍地 registration
    forms: dict[str, tuple[str, str]]  # resident -> (honseki reading, head reading) as typed
    registers: dict[str, str]  # resident -> the town that keeps the family register

    @classmethod
    def named(cls, name: str) -> FuzzWorld:
        """``sample``, ``honseki`` (tests/worlds/honseki.toml) or a world file's path."""
        path = None if name == "sample" else HONSEKI_WORLD if name == "honseki" else Path(name)
        world = load_world(path)
        forms = {r.id: (r.honseki.address_kana, r.honseki.head_kana) for r in world.residents
                 if r.honseki and r.honseki.address_kana and r.honseki.head_kana}
        return cls("sample" if path is None else str(path.resolve()), world,
                   {r.id: r.card.pin for r in world.residents if r.card.pin is not None},
                   tuple(m.code for m in world.municipalities),
                   tuple(r.id for r in world.residents),
                   tuple(r.id for r in world.residents
                         if r.honseki and r.honseki.status != "registered"),
                   forms, {r.id: r.honseki.municipality for r in world.residents if r.honseki})
