-- Whose real figures the export holds, with the attribution their licences ask for.
SELECT source_id, name, licence, attribution, url, note FROM source ORDER BY source_id;
