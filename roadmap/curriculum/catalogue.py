"""The curricula folder: every file in it, read once per change, and the newest of each key."""

from dataclasses import dataclass, field
from pathlib import Path

from .format import CurriculumError, CurriculumSpec, read_curriculum


@dataclass
class CatalogueEntry:
    """One file of the curricula folder: usable (spec) or not (errors)."""

    path: Path
    spec: CurriculumSpec | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.name


_parsed: dict[Path, tuple[tuple[int, int], CatalogueEntry]] = {}


def catalogue(directory: Path) -> list[CatalogueEntry]:
    """Every curriculum file in `directory`, read once per change of the file."""
    entries = []
    for path in sorted(Path(directory).glob("*.yaml")):
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        cached = _parsed.get(path)
        if cached is None or cached[0] != stamp:
            try:
                # Errors name the file, not where the server keeps it.
                entry = CatalogueEntry(path=path, spec=read_curriculum(path, source=path.name))
            except CurriculumError as exc:
                entry = CatalogueEntry(path=path, errors=exc.errors)
            _parsed[path] = (stamp, entry)
        entries.append(_parsed[path][1])
    return entries


def newest_for(directory: Path, key: str) -> CurriculumSpec | None:
    """The highest usable version of the curriculum `key` in `directory`."""
    specs = [e.spec for e in catalogue(directory) if e.spec is not None and e.spec.key == key]
    return max(specs, key=lambda spec: spec.version, default=None)
