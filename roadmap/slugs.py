from django.db.models import QuerySet
from django.utils.text import slugify


def free_slug(queryset: QuerySet, base: str, *, field: str = "slug", max_length: int = 80) -> str:
    """`base` made into a slug that no row of `queryset` has yet: base, base-2, base-3..."""
    base = slugify(base)[: max_length - 4].strip("-") or "untitled"
    taken = set(queryset.filter(**{f"{field}__startswith": base}).values_list(field, flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug
