"""The regions this deployment serves: configuration, matched by the global ``regions`` table."""

from __future__ import annotations

from collections.abc import Sequence

from chalkops.config import Region
from chalkops.controlplane.exceptions import UnknownRegion


class RegionDirectory:
    def __init__(self, regions: Sequence[Region]) -> None:
        self._regions = {region.code: region for region in regions}

    def all(self) -> list[Region]:
        return list(self._regions.values())

    def get(self, code: str) -> Region:
        region = self._regions.get(code)
        if region is None:
            known = ", ".join(sorted(self._regions)) or "none"
            raise UnknownRegion(
                f"unknown region '{code}' (known: {known})",
                errors=[
                    {
                        "field": "region",
                        "location": "body",
                        "type": "unknown_region",
                        "message": f"must be one of: {known}",
                    }
                ],
            )
        return region

    def codes(self) -> list[str]:
        return sorted(self._regions)
