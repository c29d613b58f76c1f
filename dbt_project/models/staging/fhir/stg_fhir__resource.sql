-- Every line of the current FHIR export files; invalid JSON is kept (is_valid_json false)
-- so that quarantine can name its file and line. A view like the other staging models: DuckDB parses
-- a line again faster than it stores the resource text a second time.
{%- set header_fields = {"resourceType": "VARCHAR", "id": "VARCHAR", "meta": {"lastUpdated": "VARCHAR"}} %}

with source as (
    {{ current_version(source('raw', 'fhir_resource')) }}
),

validated as (
    select
        *,
        json_valid(raw_line) as is_valid_json
    from source
),

parsed as (
    -- a valid line is read here for its header; its type's staging model reads the fields it needs
    select
        *,
        case when is_valid_json then raw_line::json end as resource,
        case
            when is_valid_json
                then {{ fhir_fields(header_fields, 'raw_line') }}
        end as header
    from validated
)

select
    puskesmas_code,
    export_month,
    file_resource_type,
    is_valid_json,
    resource,
    header.resourcetype as resource_type,
    header.id as resource_id,
    header.meta.lastupdated as last_updated_text,
    _source_file as source_file,
    _line as source_line,
    _row_hash as row_hash,
    _file_modified_at as file_modified_at
from parsed
