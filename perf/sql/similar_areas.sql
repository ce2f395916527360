-- Every council the published figures cover: code, name, tier, and whether it still exists.
SELECT area_code, name, tier, current FROM area ORDER BY current DESC, name;
