-- Setup: the sample database's products and inventory (scripts/postgres-init.sql), written
-- with CREATE TABLE and INSERT the way postgres_sync_table would create them.
CREATE CATALOG paimon_catalog WITH (
  'type' = 'paimon',
  'warehouse' = '/tmp/paimon'
);
CREATE DATABASE paimon_catalog.lakehouse;
CREATE TABLE paimon_catalog.lakehouse.products (
  product_id VARCHAR(50) NOT NULL,
  product_name VARCHAR(255) NOT NULL,
  category VARCHAR(100) NOT NULL,
  subcategory VARCHAR(100),
  brand VARCHAR(100),
  price DECIMAL(10, 2) NOT NULL,
  cost DECIMAL(10, 2),
  image_url STRING,
  is_active BOOLEAN NOT NULL,
  created_at TIMESTAMP(6) WITH LOCAL TIME ZONE NOT NULL,
  updated_at TIMESTAMP(6) WITH LOCAL TIME ZONE NOT NULL,
  PRIMARY KEY (product_id) NOT ENFORCED
) WITH ('bucket' = '4');
CREATE TABLE paimon_catalog.lakehouse.inventory (
  product_id VARCHAR(50) NOT NULL,
  warehouse VARCHAR(20) NOT NULL,
  quantity_on_hand INT NOT NULL,
  quantity_reserved INT NOT NULL,
  quantity_available INT NOT NULL,
  reorder_point INT NOT NULL,
  PRIMARY KEY (product_id) NOT ENFORCED
) WITH ('bucket' = '2');
INSERT INTO paimon_catalog.lakehouse.products VALUES
  ('prod_001', 'Aero 14 Laptop', 'electronics', 'computers', 'Voltix', 1199.00, 842.00, 'https://cdn.example.com/products/prod_001.jpg', true, TIMESTAMP '2024-03-01 09:00:00', TIMESTAMP '2024-03-01 09:00:00'),
  ('prod_002', 'Wireless Optical Mouse', 'electronics', 'accessories', 'Clickwise', 29.99, 11.50, 'https://cdn.example.com/products/prod_002.jpg', true, TIMESTAMP '2024-03-03 12:00:00', TIMESTAMP '2024-03-03 12:00:00'),
  ('prod_003', 'Laptop Sleeve 14"', 'electronics', 'accessories', 'Carryall', 39.99, 14.20, 'https://cdn.example.com/products/prod_003.jpg', true, TIMESTAMP '2024-03-05 15:00:00', TIMESTAMP '2024-03-05 15:00:00'),
  ('prod_004', '7-in-1 USB-C Hub', 'electronics', 'accessories', 'Voltix', 49.99, 21.00, 'https://cdn.example.com/products/prod_004.jpg', true, TIMESTAMP '2024-03-07 18:00:00', TIMESTAMP '2024-03-07 18:00:00'),
  ('prod_005', 'Pixelon 8 Smartphone', 'electronics', 'phones', 'Pixelon', 799.00, 560.00, 'https://cdn.example.com/products/prod_005.jpg', true, TIMESTAMP '2024-03-09 21:00:00', TIMESTAMP '2024-04-24 03:00:00'),
  ('prod_006', 'Shockproof Phone Case', 'electronics', 'accessories', 'Armorly', 24.99, 6.80, 'https://cdn.example.com/products/prod_006.jpg', true, TIMESTAMP '2024-03-12 00:00:00', TIMESTAMP '2024-03-12 00:00:00'),
  ('prod_007', '30W USB-C Fast Charger', 'electronics', 'accessories', 'Voltix', 34.99, 12.40, 'https://cdn.example.com/products/prod_007.jpg', true, TIMESTAMP '2024-03-14 03:00:00', TIMESTAMP '2024-03-14 03:00:00'),
  ('prod_008', 'Aria Wireless Earbuds', 'electronics', 'audio', 'Sonora', 129.00, 58.00, 'https://cdn.example.com/products/prod_008.jpg', true, TIMESTAMP '2024-03-16 06:00:00', TIMESTAMP '2024-03-16 06:00:00'),
  ('prod_009', '27" 4K Monitor', 'electronics', 'displays', 'Lumaview', 379.00, 265.00, 'https://cdn.example.com/products/prod_009.jpg', true, TIMESTAMP '2024-03-18 09:00:00', TIMESTAMP '2024-03-18 09:00:00'),
  ('prod_010', 'Mechanical Keyboard TKL', 'electronics', 'accessories', 'Clickwise', 89.99, 41.00, 'https://cdn.example.com/products/prod_010.jpg', true, TIMESTAMP '2024-03-20 12:00:00', TIMESTAMP '2024-05-04 18:00:00'),
  ('prod_011', 'Stride Running Shoes', 'clothing', 'footwear', 'Fleetfoot', 119.00, 52.00, 'https://cdn.example.com/products/prod_011.jpg', true, TIMESTAMP '2024-03-22 15:00:00', TIMESTAMP '2024-03-22 15:00:00'),
  ('prod_012', 'Cushioned Running Socks (3-pack)', 'clothing', 'socks', 'Fleetfoot', 17.99, 5.10, 'https://cdn.example.com/products/prod_012.jpg', true, TIMESTAMP '2024-03-24 18:00:00', TIMESTAMP '2024-03-24 18:00:00'),
  ('prod_013', 'Lightweight Running Shorts', 'clothing', 'activewear', 'Fleetfoot', 34.99, 12.00, 'https://cdn.example.com/products/prod_013.jpg', true, TIMESTAMP '2024-03-26 21:00:00', TIMESTAMP '2024-03-26 21:00:00'),
  ('prod_014', 'Classic Denim Jacket', 'clothing', 'outerwear', 'Harbor & Co', 89.00, 38.00, 'https://cdn.example.com/products/prod_014.jpg', false, TIMESTAMP '2024-03-29 00:00:00', TIMESTAMP '2024-03-29 00:00:00'),
  ('prod_015', 'Organic Cotton T-Shirt', 'clothing', 'tops', 'Harbor & Co', 19.99, 6.20, 'https://cdn.example.com/products/prod_015.jpg', true, TIMESTAMP '2024-03-31 03:00:00', TIMESTAMP '2024-05-15 09:00:00'),
  ('prod_016', 'Slim Fit Jeans', 'clothing', 'bottoms', 'Harbor & Co', 59.99, 22.50, 'https://cdn.example.com/products/prod_016.jpg', true, TIMESTAMP '2024-04-02 06:00:00', TIMESTAMP '2024-04-02 06:00:00'),
  ('prod_017', 'Merino Wool Sweater', 'clothing', 'knitwear', 'Alpenwool', 99.00, 44.00, 'https://cdn.example.com/products/prod_017.jpg', true, TIMESTAMP '2024-04-04 09:00:00', TIMESTAMP '2024-04-04 09:00:00'),
  ('prod_018', 'Packable Rain Jacket', 'clothing', 'outerwear', 'Trailmark', 79.99, 33.00, 'https://cdn.example.com/products/prod_018.jpg', true, TIMESTAMP '2024-04-06 12:00:00', TIMESTAMP '2024-04-06 12:00:00'),
  ('prod_019', 'Drip Coffee Maker 12-Cup', 'home', 'appliances', 'Brewhaus', 69.99, 31.00, 'https://cdn.example.com/products/prod_019.jpg', true, TIMESTAMP '2024-04-08 15:00:00', TIMESTAMP '2024-04-08 15:00:00'),
  ('prod_020', 'Single-Origin Coffee Beans 1kg', 'home', 'pantry', 'Brewhaus', 24.50, 11.00, 'https://cdn.example.com/products/prod_020.jpg', true, TIMESTAMP '2024-04-10 18:00:00', TIMESTAMP '2024-05-26 00:00:00'),
  ('prod_021', 'Stoneware Mug Set (4)', 'home', 'tableware', 'Hearthline', 32.00, 12.80, 'https://cdn.example.com/products/prod_021.jpg', true, TIMESTAMP '2024-04-12 21:00:00', TIMESTAMP '2024-04-12 21:00:00'),
  ('prod_022', '8" Chef Knife', 'home', 'cutlery', 'Edgecraft', 64.99, 24.00, 'https://cdn.example.com/products/prod_022.jpg', true, TIMESTAMP '2024-04-15 00:00:00', TIMESTAMP '2024-04-15 00:00:00'),
  ('prod_023', 'Bamboo Cutting Board', 'home', 'kitchen', 'Hearthline', 27.99, 9.40, 'https://cdn.example.com/products/prod_023.jpg', true, TIMESTAMP '2024-04-17 03:00:00', TIMESTAMP '2024-04-17 03:00:00'),
  ('prod_024', 'Nonstick Frying Pan 28cm', 'home', 'cookware', 'Hearthline', 44.99, 18.70, 'https://cdn.example.com/products/prod_024.jpg', true, TIMESTAMP '2024-04-19 06:00:00', TIMESTAMP '2024-04-19 06:00:00'),
  ('prod_025', 'Cotton Bath Towel Set', 'home', 'bath', 'Softnest', 49.99, 19.00, 'https://cdn.example.com/products/prod_025.jpg', true, TIMESTAMP '2024-04-21 09:00:00', TIMESTAMP '2024-06-05 15:00:00'),
  ('prod_026', 'Soy Candle Sandalwood', 'home', 'decor', 'Softnest', 22.00, 6.50, 'https://cdn.example.com/products/prod_026.jpg', true, TIMESTAMP '2024-04-23 12:00:00', TIMESTAMP '2024-04-23 12:00:00'),
  ('prod_027', 'Yoga Mat 6mm', 'sports', 'yoga', 'Zenflow', 39.99, 13.00, 'https://cdn.example.com/products/prod_027.jpg', true, TIMESTAMP '2024-04-25 15:00:00', TIMESTAMP '2024-04-25 15:00:00'),
  ('prod_028', 'Cork Yoga Blocks (2)', 'sports', 'yoga', 'Zenflow', 24.99, 8.60, 'https://cdn.example.com/products/prod_028.jpg', true, TIMESTAMP '2024-04-27 18:00:00', TIMESTAMP '2024-04-27 18:00:00'),
  ('prod_029', 'Insulated Water Bottle 750ml', 'sports', 'hydration', 'Trailmark', 27.50, 9.10, 'https://cdn.example.com/products/prod_029.jpg', true, TIMESTAMP '2024-04-29 21:00:00', TIMESTAMP '2024-04-29 21:00:00'),
  ('prod_030', 'Resistance Band Set', 'sports', 'strength', 'Ironpeak', 29.99, 8.90, 'https://cdn.example.com/products/prod_030.jpg', true, TIMESTAMP '2024-05-02 00:00:00', TIMESTAMP '2024-06-16 06:00:00'),
  ('prod_031', 'Adjustable Dumbbells 2x12kg', 'sports', 'strength', 'Ironpeak', 199.00, 118.00, 'https://cdn.example.com/products/prod_031.jpg', true, TIMESTAMP '2024-05-04 03:00:00', TIMESTAMP '2024-05-04 03:00:00'),
  ('prod_032', 'High-Density Foam Roller', 'sports', 'recovery', 'Zenflow', 26.99, 8.20, 'https://cdn.example.com/products/prod_032.jpg', true, TIMESTAMP '2024-05-06 06:00:00', TIMESTAMP '2024-05-06 06:00:00'),
  ('prod_033', 'Pulse Fitness Tracker', 'sports', 'wearables', 'Pulse', 99.00, 47.00, 'https://cdn.example.com/products/prod_033.jpg', true, TIMESTAMP '2024-05-08 09:00:00', TIMESTAMP '2024-05-08 09:00:00'),
  ('prod_034', 'The Everyday Kitchen Cookbook', 'books', 'cooking', 'Larder Press', 28.00, 11.20, 'https://cdn.example.com/products/prod_034.jpg', true, TIMESTAMP '2024-05-10 12:00:00', TIMESTAMP '2024-05-10 12:00:00'),
  ('prod_035', 'Practical C Programming', 'books', 'technology', 'Bitwise Books', 49.95, 19.50, 'https://cdn.example.com/products/prod_035.jpg', true, TIMESTAMP '2024-05-12 15:00:00', TIMESTAMP '2024-06-26 21:00:00'),
  ('prod_036', 'The Lighthouse Keeper', 'books', 'fiction', 'Northwind Publishing', 16.99, 6.10, 'https://cdn.example.com/products/prod_036.jpg', true, TIMESTAMP '2024-05-14 18:00:00', TIMESTAMP '2024-05-14 18:00:00'),
  ('prod_037', 'Counting with Critters', 'books', 'children', 'Little Owl', 9.99, 3.40, 'https://cdn.example.com/products/prod_037.jpg', false, TIMESTAMP '2024-05-16 21:00:00', TIMESTAMP '2024-05-16 21:00:00'),
  ('prod_038', 'City Walks: Lisbon', 'books', 'travel', 'Wayfarer', 19.99, 7.00, 'https://cdn.example.com/products/prod_038.jpg', true, TIMESTAMP '2024-05-19 00:00:00', TIMESTAMP '2024-05-19 00:00:00'),
  ('prod_039', 'Dotted Notebook A5', 'books', 'stationery', 'Papermill', 14.50, 4.30, 'https://cdn.example.com/products/prod_039.jpg', true, TIMESTAMP '2024-05-21 03:00:00', TIMESTAMP '2024-05-21 03:00:00'),
  ('prod_040', 'Argan Oil Shampoo', 'beauty', 'hair care', 'Bellaroot', 12.99, 3.90, 'https://cdn.example.com/products/prod_040.jpg', true, TIMESTAMP '2024-05-23 06:00:00', TIMESTAMP '2024-07-07 12:00:00'),
  ('prod_041', 'Argan Oil Conditioner', 'beauty', 'hair care', 'Bellaroot', 12.99, 3.90, 'https://cdn.example.com/products/prod_041.jpg', true, TIMESTAMP '2024-05-25 09:00:00', TIMESTAMP '2024-05-25 09:00:00'),
  ('prod_042', 'Daily Hydrating Face Moisturizer', 'beauty', 'skin care', 'Dermaleaf', 24.00, 7.20, 'https://cdn.example.com/products/prod_042.jpg', true, TIMESTAMP '2024-05-27 12:00:00', TIMESTAMP '2024-05-27 12:00:00'),
  ('prod_043', 'Mineral Sunscreen SPF 50', 'beauty', 'sun care', 'Dermaleaf', 18.50, 5.60, 'https://cdn.example.com/products/prod_043.jpg', true, TIMESTAMP '2024-05-29 15:00:00', TIMESTAMP '2024-05-29 15:00:00'),
  ('prod_044', 'Beeswax Lip Balm (3-pack)', 'beauty', 'lip care', 'Bellaroot', 8.99, 2.10, 'https://cdn.example.com/products/prod_044.jpg', true, TIMESTAMP '2024-05-31 18:00:00', TIMESTAMP '2024-05-31 18:00:00');
INSERT INTO paimon_catalog.lakehouse.inventory VALUES
  ('prod_001', 'RNO-2', 42, 1, 41, 20),
  ('prod_002', 'ATL-3', 79, 2, 77, 20),
  ('prod_003', 'SEA-1', 116, 3, 113, 20),
  ('prod_004', 'RNO-2', 153, 4, 149, 20),
  ('prod_005', 'ATL-3', 40, 5, 35, 20),
  ('prod_006', 'SEA-1', 77, 6, 71, 20),
  ('prod_007', 'RNO-2', 114, 7, 107, 20),
  ('prod_008', 'ATL-3', 15, 6, 9, 20),
  ('prod_009', 'SEA-1', 38, 9, 29, 20),
  ('prod_010', 'RNO-2', 75, 10, 65, 20),
  ('prod_011', 'ATL-3', 112, 11, 101, 20),
  ('prod_012', 'SEA-1', 149, 0, 149, 20),
  ('prod_013', 'RNO-2', 36, 1, 35, 20),
  ('prod_014', 'ATL-3', 73, 2, 71, 20),
  ('prod_015', 'SEA-1', 110, 3, 107, 20),
  ('prod_016', 'RNO-2', 147, 4, 143, 20),
  ('prod_017', 'ATL-3', 34, 5, 29, 20),
  ('prod_018', 'SEA-1', 71, 6, 65, 20),
  ('prod_019', 'RNO-2', 108, 7, 101, 20),
  ('prod_020', 'ATL-3', 145, 8, 137, 20),
  ('prod_021', 'SEA-1', 32, 9, 23, 20),
  ('prod_022', 'RNO-2', 69, 10, 59, 20),
  ('prod_023', 'ATL-3', 106, 11, 95, 20),
  ('prod_024', 'SEA-1', 143, 0, 143, 20),
  ('prod_025', 'RNO-2', 30, 1, 29, 20),
  ('prod_026', 'ATL-3', 67, 2, 65, 20),
  ('prod_027', 'SEA-1', 104, 3, 101, 20),
  ('prod_028', 'RNO-2', 141, 4, 137, 20),
  ('prod_029', 'ATL-3', 28, 5, 23, 20),
  ('prod_030', 'SEA-1', 65, 6, 59, 20),
  ('prod_031', 'RNO-2', 4, 4, 0, 20),
  ('prod_032', 'ATL-3', 139, 8, 131, 20),
  ('prod_033', 'SEA-1', 26, 9, 17, 20),
  ('prod_034', 'RNO-2', 63, 10, 53, 20),
  ('prod_035', 'ATL-3', 100, 11, 89, 20),
  ('prod_036', 'SEA-1', 137, 0, 137, 20),
  ('prod_037', 'RNO-2', 24, 1, 23, 20),
  ('prod_038', 'ATL-3', 61, 2, 59, 20),
  ('prod_039', 'SEA-1', 98, 3, 95, 20),
  ('prod_040', 'RNO-2', 135, 4, 131, 20),
  ('prod_041', 'ATL-3', 22, 5, 17, 20),
  ('prod_042', 'SEA-1', 59, 6, 53, 20),
  ('prod_043', 'RNO-2', 96, 7, 89, 20),
  ('prod_044', 'ATL-3', 133, 8, 125, 20);

-- The guide, "Querying Paimon Tables" / "Using Flink SQL Client", verbatim:
-- Create Paimon catalog
CREATE CATALOG paimon_catalog WITH (
  'type' = 'paimon',
  'warehouse' = '/tmp/paimon'
);

USE CATALOG paimon_catalog;

-- List databases
SHOW DATABASES;

-- Use lakehouse database
USE lakehouse;

-- List tables
SHOW TABLES;

-- Query products (synced from PostgreSQL)
SELECT product_id, product_name, category, price
FROM products
ORDER BY price DESC
LIMIT 10;

-- Join with inventory
SELECT
    p.product_name,
    p.category,
    p.price,
    i.quantity_available,
    i.quantity_reserved
FROM products p
JOIN inventory i ON p.product_id = i.product_id
WHERE i.quantity_available < 20
ORDER BY i.quantity_available ASC;

-- Time-travel query (if you made changes)
SELECT COUNT(*) as product_count
FROM products
FOR SYSTEM_TIME AS OF TIMESTAMP '2025-01-20 10:00:00';

-- The Table API example's query (electronics products)
SELECT product_id, product_name, category, price FROM products WHERE category = 'electronics';
SHOW CURRENT CATALOG;
SHOW CURRENT DATABASE;
SHOW CATALOGS;
-- EXPLAIN shows what is pushed down: "INDEX <values>:<colUsed hex>;<column>:<op>..." per table
EXPLAIN
SELECT
    p.product_name,
    p.category,
    p.price,
    i.quantity_available,
    i.quantity_reserved
FROM products p
JOIN inventory i ON p.product_id = i.product_id
WHERE i.quantity_available < 20
ORDER BY i.quantity_available ASC;
EXPLAIN SELECT product_id, price FROM products WHERE product_id = 'prod_test_001';
