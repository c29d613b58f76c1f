-- Every line of the current FHIR export files; invalid JSON is kept (is_valid_json false)
-- so that quarantine can name its file and line. A view like the other staging models: DuckDB parses
-- a line again faster than it stores the resource text a second time.
with source as (
    {{ current_version(source('raw', 'fhir_resource')) }}
)

select
    puskesmas_code,
    export_month,
    file_resource_type,
    json_valid(raw_line) as is_valid_json,
    case when json_valid(raw_line) then raw_line::json end as resource,
    case when json_valid(raw_line) then raw_line::json ->> '$.resourceType' end as resource_type,
    case when json_valid(raw_line) then raw_line::json ->> '$.id' end as resource_id,
    case when json_valid(raw_line) then raw_line::json ->> '$.meta.lastUpdated' end as last_updated_text,
    _source_file as source_file,
    _line as source_line,
    _row_hash as row_hash,
    _file_modified_at as file_modified_at
from source
