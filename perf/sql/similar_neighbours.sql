-- ONS's nearest neighbours of one council on one basis, in rank order.
SELECT area_code, basis, rank, neighbour_code FROM area_neighbour
WHERE area_code = $area_code AND basis = $basis ORDER BY rank;
