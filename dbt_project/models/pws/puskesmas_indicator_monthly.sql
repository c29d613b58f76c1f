-- PWS per puskesmas (outputs.md): sums over the kelurahan of its working area and its unknown-domicile
-- row, coverage recomputed; ranked within the regency.
{{ pws_aggregate(['province_code', 'regency_code', 'puskesmas_code', 'puskesmas_name'], ['puskesmas_code'],
    ['regency_code'], 'rank_in_regency') }}
