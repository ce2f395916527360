-- scoped_cases: the cases of the chosen service in the chosen place (_case_scope.sql).
scoped_cases AS (
    SELECT c.*
    FROM work_case AS c
    WHERE /* include: _case_scope */
)
