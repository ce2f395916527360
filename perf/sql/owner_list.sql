-- Every measure owner (from the catalogue and the owner table) with their address and sign-in.
SELECT n.owner, o.email, o.username,
       (SELECT count(*) FROM measure m WHERE m.owner = n.owner) AS measures
FROM (SELECT DISTINCT owner FROM measure WHERE owner IS NOT NULL
      UNION SELECT owner FROM owner) n
LEFT JOIN owner o ON o.owner = n.owner
ORDER BY n.owner;
