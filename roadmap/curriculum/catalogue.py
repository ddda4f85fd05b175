"""The curricula folder: every file in it, read once per change, and the newest of each key."""

import logging
from dataclasses import dataclass, field
from pathlib import Path

from .format import CurriculumError, CurriculumSpec, read_curriculum

logger = logging.getLogger(__name__)


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
        try:
            stat = path.stat()
        except OSError as exc:
            # Removed since the folder was listed, or a link to nothing.
            errors = [f"{path.name}: cannot be read: {exc.__class__.__name__}"]
            entries.append(CatalogueEntry(path=path, errors=errors))
            continue
        stamp = (stat.st_mtime_ns, stat.st_size)
        cached = _parsed.get(path)
        if cached is None or cached[0] != stamp:
            _parsed[path] = (stamp, _read(path))
        entries.append(_parsed[path][1])
    return entries


def _read(path: Path) -> CatalogueEntry:
    try:
        # Errors name the file, not where the server keeps it.
        return CatalogueEntry(path=path, spec=read_curriculum(path, source=path.name))
    except CurriculumError as exc:
        return CatalogueEntry(path=path, errors=exc.errors)
    except Exception:
        # The reader turns every problem a file can have into a CurriculumError, so this is
        # a defect in it; one file must still not take every roadmap page down with it.
        logger.exception("Unexpected error reading the curriculum file %s", path)
        return CatalogueEntry(
            path=path, errors=[f"{path.name}: cannot be read: an unexpected error, logged"]
        )


def newest_for(directory: Path, key: str) -> CurriculumSpec | None:
    """The highest usable version of the curriculum `key` in `directory`."""
    specs = [e.spec for e in catalogue(directory) if e.spec is not None and e.spec.key == key]
    return max(specs, key=lambda spec: spec.version, default=None)
