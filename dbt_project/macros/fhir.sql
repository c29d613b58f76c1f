{#- A FHIR resource's fields as a staging model reads them: one parse of the resource into DuckDB's
    from_json structure (a dict of field -> type, lists for arrays). A field of another shape than the
    structure expects reads as NULL, as `->>` would read it. -#}
{% macro fhir_fields(structure, text='resource') -%}
    from_json({{ text }}, '{{ tojson(structure) }}')
{%- endmacro %}

{#- The required fields of each FHIR resource type, from the data contract (raw.contract_column, written
    from data_contracts/fhir.yml at ingestion): {resource type: [field paths]}. Read when the model runs. -#}
{% macro fhir_required_paths() -%}
    {%- set paths = {} -%}
    {#- absent before the first ingestion, as when the project is only compiled or linted -#}
    {%- if execute and load_relation(source('raw', 'contract_column')) is not none -%}
        {%- set rows = run_query(
            "select replace(source_name, 'fhir_', ''), string_agg(column_name, '|' order by column_name) from "
            ~ source('raw', 'contract_column') ~ " where source_name like 'fhir_%' and is_required group by all"
        ) -%}
        {%- for row in rows -%}
            {%- do paths.update({row[0]: row[1].split('|')}) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(paths) }}
{%- endmacro %}

{#- True when a required field of the resource's type is missing or blank: one parse of the resource for
    all of its type's required fields. -#}
{% macro fhir_required_field_missing(resource, resource_type, required_paths) -%}
    {%- if required_paths -%}
        coalesce(case {{ resource_type }}
        {%- for type, paths in required_paths.items() %}
            when '{{ type }}' then list_bool_or(list_transform(
                json_extract_string({{ resource }}, [{% for path in paths %}'$.{{ path }}'{{ ", " if not loop.last }}{% endfor %}]),
                lambda value: nullif(trim(value), '') is null
            ))
        {%- endfor %}
        end, false)
    {%- else -%}
        false
    {%- endif -%}
{%- endmacro %}

{#- The record id of a FHIR resource wherever models meet on it: its kind (`fhir` for a Patient, `enc`,
    `imm`), the exporting puskesmas and the resource id, which is unique only within that puskesmas. -#}
{% macro fhir_record_id(kind, puskesmas_code, resource_id) -%}
    '{{ kind }}:' || {{ puskesmas_code }} || ':' || {{ resource_id }}
{%- endmacro %}
