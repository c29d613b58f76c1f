{#- Views and seeds are made again only when what they are made from changed: a view's compiled SQL, a
    seed's file and configuration (its column types, delimiter). A nightly build otherwise spent about 2 s
    of its two threads, before the first model that reads a landed row, creating forty views and seeds
    exactly as they were. What a relation was made from is kept in its own comment, so it is replaced or
    dropped with the relation. DuckDB binds a view's query when the view is read, so a view made before its
    upstream tables were rebuilt reads the new tables. `--full-refresh` makes them all again. -#}

{% macro made_from_comment(relation, catalog_function) -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set name_column = 'view_name' if catalog_function == 'duckdb_views' else 'table_name' -%}
    {%- set found = run_query(
        "select comment from " ~ catalog_function ~ "()"
        ~ " where database_name = '" ~ relation.database ~ "' and schema_name = '" ~ relation.schema ~ "'"
        ~ " and " ~ name_column ~ " = '" ~ relation.identifier ~ "'"
    ) -%}
    {{ return(found.columns[0].values()[0] if found.rows | length == 1 else none) }}
{%- endmacro %}

{% macro made_from(kind, what) -%}
    {{ return('dbt ' ~ kind ~ ' ' ~ local_md5(what)) }}
{%- endmacro %}

{#- The result of a node left as it was: dbt reports it `UNCHANGED`. -#}
{% macro left_unchanged(relation_type) -%}
    {%- call noop_statement('main', 'UNCHANGED', 'UNCHANGED', 0) -%}{%- endcall -%}
    {{ return({'relations': [this.incorporate(type=relation_type)]}) }}
{%- endmacro %}

{% materialization view, adapter='duckdb' %}
    {%- set wanted = made_from('view', sql) -%}
    {%- if not should_full_refresh() and made_from_comment(this, 'duckdb_views') == wanted -%}
        {{ return(left_unchanged('view')) }}
    {%- endif -%}
    {%- set made = materialization_view_default() -%}
    {%- do run_query("comment on view " ~ this ~ " is '" ~ wanted ~ "'") -%}
    {{ return(made) }}
{% endmaterialization %}

{% materialization seed, adapter='duckdb' %}
    {%- set wanted = made_from('seed', model.checksum.checksum ~ tojson(model.config, sort_keys=True)) -%}
    {%- if not should_full_refresh() and made_from_comment(this, 'duckdb_tables') == wanted -%}
        {%- do store_result('agate_table', response='OK') -%}
        {{ return(left_unchanged('table')) }}
    {%- endif -%}
    {%- set made = materialization_seed_default() -%}
    {%- do run_query("comment on table " ~ this ~ " is '" ~ wanted ~ "'") -%}
    {{ return(made) }}
{% endmaterialization %}
