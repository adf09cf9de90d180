"""Delivery: the licence gate and channel bundles (files, manifest, bulk-upload CSV, contact sheet, disclosure).

Pure library code over plain dataclasses; the caller loads them from the store.

    blocks = check_usage(inputs, Usage("meta", "GB", date.today()))
    report = write_bundle(items, out_dir, "meta", "Spring launch", "Orbit Coffee", blocked, DisclosureInfo(...))
    manifest = read_bundle(report.root)
"""

from assetline.delivery.bundle import BundleReport, DeliveryItem, read_bundle, write_bundle
from assetline.delivery.channels import SHEETS, SheetSpec, sheet_for
from assetline.delivery.disclosure import CheckRun, DisclosureInfo, EngineUse
from assetline.delivery.licence_gate import (
    REGION_GROUPS,
    LicenceBlock,
    LicensedInput,
    Usage,
    check_usage,
    expand_territories,
    licence_record,
    raise_for_blocks,
    withheld_entry,
)
from assetline.delivery.naming import file_name

__all__ = [
    "REGION_GROUPS",
    "SHEETS",
    "BundleReport",
    "CheckRun",
    "DeliveryItem",
    "DisclosureInfo",
    "EngineUse",
    "LicenceBlock",
    "LicensedInput",
    "SheetSpec",
    "Usage",
    "check_usage",
    "expand_territories",
    "file_name",
    "licence_record",
    "raise_for_blocks",
    "read_bundle",
    "sheet_for",
    "withheld_entry",
    "write_bundle",
]
