"""The code location's component folders (dg's `defs_module`): each folder with a defs.yaml is
one component; `lakehouse/defs.yaml` is the repo's contract folder as a LakehouseComponent.
A second domain is a sibling folder (`dg scaffold defs lakehouse_assets.LakehouseComponent
<name>`)."""
