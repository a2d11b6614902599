"""A mypy plugin that types query expressions on models: enable it next to pydantic's.

::

    [mypy]
    plugins = pydantic.mypy, wvorm.mypy

At run time ``Article.word_count`` (a field read on the class) is a
:class:`wvorm.orm._expressions.FieldExpr`, but mypy reads the annotation and sees an
``int``, so ``Article.word_count > 1000`` would be a ``bool`` and
``Article.tags.contains_any([...])`` an error. With this plugin mypy sees:

- a field ``x: T`` (also ``Optional[T]`` / ``list[T]``) as ``FieldExpr[T]``, whose
  comparisons give ``Filter`` objects and check the value's type;
- a reference ``author: Optional[Author]`` (or ``list[Author]``, or a Union of
  models) as ``ReferencePath[Author]``, and ``Book.author.name`` as the target's
  ``FieldExpr[str]``; a name the target does not have is an error.

Only class-level reads of fields of ``WeaviateModel`` subclasses change;
instances, assignments and everything else keep their types.
"""

from __future__ import annotations

from typing import Callable, Optional

from mypy.nodes import TypeInfo, Var
from mypy.plugin import AttributeContext, Plugin
from mypy.types import (
    AnyType,
    Instance,
    NoneType,
    ProperType,
    Type,
    TypeOfAny,
    UnionType,
    get_proper_type,
)

MODEL = "wvorm.orm._models.WeaviateModel"
FIELD = "wvorm.orm._expressions.FieldExpr"
REFERENCE = "wvorm.orm._expressions.ReferencePath"


class WvormPlugin(Plugin):
    """Types ``Model.<field>`` as ``FieldExpr[T]`` / ``ReferencePath[Target]``."""

    def _type_info(self, fullname: str) -> Optional[TypeInfo]:
        symbol = self.lookup_fully_qualified(fullname)
        return symbol.node if symbol is not None and isinstance(symbol.node, TypeInfo) else None

    def get_class_attribute_hook(
        self, fullname: str
    ) -> Optional[Callable[[AttributeContext], Type]]:
        class_name, _, name = fullname.rpartition(".")
        model = self._type_info(class_name)
        if name.startswith("_") or model is None or not model.has_base(MODEL):
            return None
        expressions = self._expression_types()
        if expressions is None or _field_var(model, name) is None:
            return None

        def class_field_hook(ctx: AttributeContext) -> Type:
            if ctx.is_lvalue:  # ``Model.x = ...`` keeps its meaning
                return ctx.default_attr_type
            return expressions.of(ctx.default_attr_type)

        return class_field_hook

    def get_attribute_hook(self, fullname: str) -> Optional[Callable[[AttributeContext], Type]]:
        # ReferencePath.__getattr__ answers the names it does not define: ``Book.author.name``
        prefix, _, name = fullname.rpartition(".")
        if prefix != REFERENCE or name.startswith("_"):
            return None
        expressions = self._expression_types()
        if expressions is None or expressions.reference.get(name) is not None:
            return None

        def reference_hook(ctx: AttributeContext) -> Type:
            return expressions.through_reference(ctx, name)

        return reference_hook

    def _expression_types(self) -> Optional[_Expressions]:
        field, reference = self._type_info(FIELD), self._type_info(REFERENCE)
        if field is None or reference is None:  # wvorm.orm._expressions is not in the build
            return None
        return _Expressions(field, reference)


def _field_var(info: TypeInfo, name: str) -> Optional[Var]:
    """The pydantic field ``name`` of a model class (declared on it or a base), or None."""
    node = info.get(name)
    var = node.node if node is not None else None
    if not isinstance(var, Var) or var.is_classvar or var.is_property or var.type is None:
        return None
    return var


class _Expressions:
    """Builds the expression types from the TypeInfos of FieldExpr and ReferencePath."""

    def __init__(self, field: TypeInfo, reference: TypeInfo) -> None:
        self.field = field
        self.reference = reference

    def of(self, declared: Type) -> Type:
        """``FieldExpr[T]`` or ``ReferencePath[Target]`` for a field declared as ``declared``."""
        item = _strip_optional(get_proper_type(declared))
        if isinstance(item, Instance) and item.type.fullname == "builtins.list" and item.args:
            item = _strip_optional(get_proper_type(item.args[0]))
        if _model_targets(item):
            return Instance(self.reference, [item])
        return Instance(self.field, [item])

    def through_reference(self, ctx: AttributeContext, name: str) -> Type:
        """``<ReferencePath[Target]>.name``: the target's field, as an expression."""
        reference = get_proper_type(ctx.type)
        if not isinstance(reference, Instance) or not reference.args:
            return ctx.default_attr_type
        targets = _model_targets(get_proper_type(reference.args[0]))
        having = [(t, var) for t in targets if (var := _field_var(t.type, name)) is not None]
        target_names = " | ".join(t.type.name for t in targets) or "its target"
        if not having:
            ctx.api.fail(f'Reference to {target_names} has no field "{name}"', ctx.context)
            return AnyType(TypeOfAny.from_error)
        if len(having) > 1:
            ctx.api.fail(
                f'"{name}" is a field of several targets ({target_names}); pick one with '
                "[Target] first",
                ctx.context,
            )
            return AnyType(TypeOfAny.from_error)
        _, var = having[0]
        assert var.type is not None
        return self.of(var.type)


def _strip_optional(typ: ProperType) -> ProperType:
    if isinstance(typ, UnionType):
        items = [get_proper_type(t) for t in typ.items]
        rest = [t for t in items if not isinstance(t, NoneType)]
        if len(rest) == 1:
            return rest[0]
        if len(rest) < len(items):
            return get_proper_type(UnionType.make_union(rest))
    return typ


def _model_targets(typ: ProperType) -> list[Instance]:
    """The model classes ``typ`` names when it is a model or a Union of models, else []."""
    items = [get_proper_type(t) for t in typ.items] if isinstance(typ, UnionType) else [typ]
    targets = [t for t in items if isinstance(t, Instance) and t.type.has_base(MODEL)]
    return targets if len(targets) == len(items) else []


def plugin(version: str) -> type[Plugin]:
    """mypy's entry point."""
    return WvormPlugin
