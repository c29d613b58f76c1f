{#- Layers live in schemas of their own name (staging, intermediate, marts, pws_candidate), not prefixed. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name if custom_schema_name is not none else target.schema }}
{%- endmacro %}
