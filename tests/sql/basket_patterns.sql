-- Setup: the sample database's products and inventory (scripts/postgres-init.sql), written
-- with CREATE TABLE and INSERT the way postgres_sync_table would create them.
-- @include sample_setup.inc

-- The recommendation jobs' inputs: basket patterns from pattern mining
USE CATALOG paimon_catalog;
CREATE DATABASE basket_analysis;
CREATE TABLE basket_analysis.basket_patterns (
  antecedents STRING NOT NULL,
  consequent VARCHAR(50) NOT NULL,
  confidence DOUBLE NOT NULL,
  support DOUBLE NOT NULL,
  PRIMARY KEY (antecedents, consequent) NOT ENFORCED
);
INSERT INTO basket_analysis.basket_patterns VALUES
  ('prod_001', 'prod_002', 0.82, 0.12),
  ('prod_001', 'prod_003', 0.64, 0.09),
  ('prod_005', 'prod_006', 0.91, 0.15),
  ('prod_005', 'prod_007', 0.58, 0.08),
  ('prod_011', 'prod_012', 0.77, 0.11),
  ('prod_027', 'prod_028', 0.69, 0.07),
  ('prod_031', 'prod_030', 0.88, 0.05),
  ('prod_036', 'prod_037', 0.73, 0.04),
  ('prod_040', 'prod_041', 0.95, 0.10),
  ('prod_019', 'prod_020', 0.45, 0.06);

-- EnrichedRecommendationJob's three queries, as one statement
SELECT
  p.consequent as product_id,
  pd.product_name,
  pd.category,
  pd.price,
  pd.image_url,
  p.confidence,
  p.support
FROM (SELECT antecedents, consequent, confidence, support
      FROM basket_analysis.basket_patterns
      WHERE confidence > 0.5) p
JOIN (SELECT product_id, product_name, category, price, image_url
      FROM lakehouse.products
      WHERE is_active = true) pd ON p.consequent = pd.product_id
ORDER BY p.confidence DESC;

-- "Inventory-Aware Recommendations", verbatim
-- Only recommend products that are in stock
SELECT
    bp.consequent as recommended_product,
    p.product_name,
    p.price,
    i.quantity_available,
    bp.confidence
FROM basket_analysis.basket_patterns bp
JOIN lakehouse.products p ON bp.consequent = p.product_id
JOIN lakehouse.inventory i ON p.product_id = i.product_id
WHERE
    bp.confidence > 0.6
    AND i.quantity_available > 0  -- In stock only
    AND p.is_active = true
ORDER BY bp.confidence DESC;
