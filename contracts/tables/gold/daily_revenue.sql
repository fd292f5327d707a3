-- Revenue per order day and category. Tables are named as in Spark SQL; the framework points
-- them at the right Delta tables for the engine (paths locally, Unity Catalog on Databricks).
SELECT
  CAST(o.order_ts AS DATE)            AS order_date,
  p.category                          AS category,
  COUNT(*)                            AS orders,
  SUM(o.quantity)                     AS units,
  CAST(SUM(o.amount) AS DECIMAL(18,2)) AS revenue
FROM {catalog.silver}.shop.orders AS o
JOIN shop.products AS p ON o.product_id = p.product_id
WHERE NOT o.is_deleted AND o.status <> 'cancelled'
GROUP BY CAST(o.order_ts AS DATE), p.category
