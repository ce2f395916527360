-- Councils a file of published figures may name (today's, and those abolished but kept for a series).
SELECT area_code, name FROM area ORDER BY area_code;
