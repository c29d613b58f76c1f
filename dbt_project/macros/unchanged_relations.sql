{#- Views and seeds are made again only when what they are made from changed: a view's compiled SQL, a
    seed's file and configuration (its column types, delimiter). A nightly build otherwise spent about 2 s
    of its two threads, before the first model that reads a landed row, creating forty views and seeds
    exactly as they were. What a relation was made from is kept in its own comment, so it is replaced or
    dropped with the relation. DuckDB binds a view's query when the view is read, so a view made before its
    upstream tables were rebuilt reads the new tables. `--full-refresh` makes them all again. -#}

{% macro made_from_comment(relation, relation_type) -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set found = run_query(
        "select comment from duckdb_" ~ relation_type ~ "s()"
        ~ " where database_name = '" ~ relation.database ~ "' and schema_name = '" ~ relation.schema ~ "'"
        ~ " and " ~ relation_type ~ "_name = '" ~ relation.identifier ~ "'"
    ) -%}
    {{ return(found.columns[0].values()[0] if found.rows | length == 1 else none) }}
{%- endmacro %}

{#- Leave the relation as it is when its comment holds the hash of `what`, else make it with `make` (dbt's
    own materialization) and write the hash into its comment. A node left as it was is reported `UNCHANGED`. -#}
{% macro made_again_when_changed(relation_type, what, make) -%}
    {%- set wanted = 'dbt ' ~ relation_type ~ ' ' ~ local_md5(what) -%}
    {%- if not should_full_refresh() and made_from_comment(this, relation_type) == wanted -%}
        {%- call noop_statement('main', 'UNCHANGED', 'UNCHANGED', 0) -%}{%- endcall -%}
        {{ return({'relations': [this.incorporate(type=relation_type)]}) }}
    {%- endif -%}
    {%- set made = make() -%}
    {%- do run_query("comment on " ~ relation_type ~ " " ~ this ~ " is '" ~ wanted ~ "'") -%}
    {{ return(made) }}
{%- endmacro %}

{% materialization view, adapter='duckdb' %}
    {{ return(made_again_when_changed('view', sql, materialization_view_default)) }}
{% endmaterialization %}

{% materialization seed, adapter='duckdb' %}
    {#- dbt's seed runner reads the loaded rows back as a table, even from a seed left as it was -#}
    {%- do store_result('agate_table', response='OK') -%}
    {%- set what = model.checksum.checksum ~ tojson(model.config, sort_keys=True) -%}
    {{ return(made_again_when_changed('table', what, materialization_seed_default)) }}
{% endmaterialization %}
