-- sql/postgres-init.sql
--
-- The e-commerce sample database of the user guide (../shared/guide.md):
-- database ecommerce with products (44 rows), customers, orders, order_items
-- (baskets with recurring product combinations, for basket analysis) and
-- inventory (some products low on stock), and the publication paimon_cdc FOR
-- ALL TABLES that change data capture reads.
--
-- Runs in two places, unchanged:
--   * docker-compose.yml mounts it into /docker-entrypoint-initdb.d; the image
--     runs it with psql inside database ecommerce (POSTGRES_DB).
--   * scripts/pg-local.sh load-sample runs it with psql from database postgres
--     after dropping ecommerce.
-- Either way it creates ecommerce when missing, connects to it, and (re)builds
-- the tables. Every value is fixed (no random(), no now()), so every load is
-- the same data.

\set ON_ERROR_STOP on
SET client_min_messages = warning;

SELECT 'CREATE DATABASE ecommerce'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'ecommerce')\gexec
\connect ecommerce
SET client_min_messages = warning;

DROP PUBLICATION IF EXISTS paimon_cdc;
DROP TABLE IF EXISTS order_items, orders, inventory, customers, products CASCADE;

CREATE TABLE products (
    product_id    varchar(50)   PRIMARY KEY,
    product_name  varchar(255)  NOT NULL,
    category      varchar(100)  NOT NULL,
    subcategory   varchar(100),
    brand         varchar(100),
    price         numeric(10,2) NOT NULL CHECK (price >= 0),
    cost          numeric(10,2) CHECK (cost >= 0),
    image_url     text,
    is_active     boolean       NOT NULL DEFAULT true,
    created_at    timestamptz   NOT NULL DEFAULT now(),
    updated_at    timestamptz   NOT NULL DEFAULT now()
);

CREATE TABLE customers (
    customer_id     varchar(50)   PRIMARY KEY,
    email           varchar(255)  NOT NULL UNIQUE,
    first_name      varchar(100)  NOT NULL,
    last_name       varchar(100)  NOT NULL,
    phone           varchar(30),
    city            varchar(100),
    country         char(2),
    total_orders    integer       NOT NULL DEFAULT 0,
    lifetime_value  numeric(12,2) NOT NULL DEFAULT 0,
    created_at      timestamptz   NOT NULL DEFAULT now(),
    updated_at      timestamptz   NOT NULL DEFAULT now()
);

CREATE TABLE orders (
    order_id        varchar(50)   PRIMARY KEY,
    customer_id     varchar(50)   NOT NULL REFERENCES customers,
    order_date      timestamptz   NOT NULL,
    status          varchar(20)   NOT NULL
                    CHECK (status IN ('processing', 'shipped', 'delivered', 'cancelled')),
    payment_method  varchar(20)   NOT NULL,
    shipping_cost   numeric(10,2) NOT NULL DEFAULT 0,
    total_amount    numeric(12,2) NOT NULL DEFAULT 0,
    created_at      timestamptz   NOT NULL DEFAULT now(),
    updated_at      timestamptz   NOT NULL DEFAULT now()
);

CREATE TABLE order_items (
    order_id     varchar(50)   NOT NULL REFERENCES orders ON DELETE CASCADE,
    line_number  smallint      NOT NULL,
    product_id   varchar(50)   NOT NULL REFERENCES products,
    quantity     integer       NOT NULL CHECK (quantity > 0),
    unit_price   numeric(10,2) NOT NULL,
    PRIMARY KEY (order_id, line_number)
);

CREATE TABLE inventory (
    product_id          varchar(50)  PRIMARY KEY REFERENCES products,
    warehouse           varchar(20)  NOT NULL,
    quantity_on_hand    integer      NOT NULL,
    quantity_reserved   integer      NOT NULL DEFAULT 0,
    quantity_available  integer      NOT NULL,
    reorder_point       integer      NOT NULL DEFAULT 20,
    last_restocked_at   timestamptz,
    updated_at          timestamptz  NOT NULL DEFAULT now()
);

-- 44 products in six categories. created_at steps by 2 days 3 hours from
-- 2024-03-01; a product whose number is divisible by 5 had a later edit.
INSERT INTO products (product_id, product_name, category, subcategory, brand,
                      price, cost, image_url, is_active, created_at, updated_at)
SELECT id, name, category, subcategory, brand, price, cost,
       'https://cdn.example.com/products/' || id || '.jpg',
       active,
       created,
       CASE WHEN n % 5 = 0 THEN created + interval '45 days 6 hours' ELSE created END
  FROM (VALUES
    ('prod_001', 'Aero 14 Laptop',                   'electronics', 'computers',   'Voltix',               1199.00, 842.00, true),
    ('prod_002', 'Wireless Optical Mouse',           'electronics', 'accessories', 'Clickwise',              29.99,  11.50, true),
    ('prod_003', 'Laptop Sleeve 14"',                'electronics', 'accessories', 'Carryall',               39.99,  14.20, true),
    ('prod_004', '7-in-1 USB-C Hub',                 'electronics', 'accessories', 'Voltix',                 49.99,  21.00, true),
    ('prod_005', 'Pixelon 8 Smartphone',             'electronics', 'phones',      'Pixelon',               799.00, 560.00, true),
    ('prod_006', 'Shockproof Phone Case',            'electronics', 'accessories', 'Armorly',                24.99,   6.80, true),
    ('prod_007', '30W USB-C Fast Charger',           'electronics', 'accessories', 'Voltix',                 34.99,  12.40, true),
    ('prod_008', 'Aria Wireless Earbuds',            'electronics', 'audio',       'Sonora',                129.00,  58.00, true),
    ('prod_009', '27" 4K Monitor',                   'electronics', 'displays',    'Lumaview',              379.00, 265.00, true),
    ('prod_010', 'Mechanical Keyboard TKL',          'electronics', 'accessories', 'Clickwise',              89.99,  41.00, true),
    ('prod_011', 'Stride Running Shoes',             'clothing',    'footwear',    'Fleetfoot',             119.00,  52.00, true),
    ('prod_012', 'Cushioned Running Socks (3-pack)', 'clothing',    'socks',       'Fleetfoot',              17.99,   5.10, true),
    ('prod_013', 'Lightweight Running Shorts',       'clothing',    'activewear',  'Fleetfoot',              34.99,  12.00, true),
    ('prod_014', 'Classic Denim Jacket',             'clothing',    'outerwear',   'Harbor & Co',            89.00,  38.00, false),
    ('prod_015', 'Organic Cotton T-Shirt',           'clothing',    'tops',        'Harbor & Co',            19.99,   6.20, true),
    ('prod_016', 'Slim Fit Jeans',                   'clothing',    'bottoms',     'Harbor & Co',            59.99,  22.50, true),
    ('prod_017', 'Merino Wool Sweater',              'clothing',    'knitwear',    'Alpenwool',              99.00,  44.00, true),
    ('prod_018', 'Packable Rain Jacket',             'clothing',    'outerwear',   'Trailmark',              79.99,  33.00, true),
    ('prod_019', 'Drip Coffee Maker 12-Cup',         'home',        'appliances',  'Brewhaus',               69.99,  31.00, true),
    ('prod_020', 'Single-Origin Coffee Beans 1kg',   'home',        'pantry',      'Brewhaus',               24.50,  11.00, true),
    ('prod_021', 'Stoneware Mug Set (4)',            'home',        'tableware',   'Hearthline',             32.00,  12.80, true),
    ('prod_022', '8" Chef Knife',                    'home',        'cutlery',     'Edgecraft',              64.99,  24.00, true),
    ('prod_023', 'Bamboo Cutting Board',             'home',        'kitchen',     'Hearthline',             27.99,   9.40, true),
    ('prod_024', 'Nonstick Frying Pan 28cm',         'home',        'cookware',    'Hearthline',             44.99,  18.70, true),
    ('prod_025', 'Cotton Bath Towel Set',            'home',        'bath',        'Softnest',               49.99,  19.00, true),
    ('prod_026', 'Soy Candle Sandalwood',            'home',        'decor',       'Softnest',               22.00,   6.50, true),
    ('prod_027', 'Yoga Mat 6mm',                     'sports',      'yoga',        'Zenflow',                39.99,  13.00, true),
    ('prod_028', 'Cork Yoga Blocks (2)',             'sports',      'yoga',        'Zenflow',                24.99,   8.60, true),
    ('prod_029', 'Insulated Water Bottle 750ml',     'sports',      'hydration',   'Trailmark',              27.50,   9.10, true),
    ('prod_030', 'Resistance Band Set',              'sports',      'strength',    'Ironpeak',               29.99,   8.90, true),
    ('prod_031', 'Adjustable Dumbbells 2x12kg',      'sports',      'strength',    'Ironpeak',              199.00, 118.00, true),
    ('prod_032', 'High-Density Foam Roller',         'sports',      'recovery',    'Zenflow',                26.99,   8.20, true),
    ('prod_033', 'Pulse Fitness Tracker',            'sports',      'wearables',   'Pulse',                  99.00,  47.00, true),
    ('prod_034', 'The Everyday Kitchen Cookbook',    'books',       'cooking',     'Larder Press',           28.00,  11.20, true),
    ('prod_035', 'Practical C Programming',          'books',       'technology',  'Bitwise Books',          49.95,  19.50, true),
    ('prod_036', 'The Lighthouse Keeper',            'books',       'fiction',     'Northwind Publishing',   16.99,   6.10, true),
    ('prod_037', 'Counting with Critters',           'books',       'children',    'Little Owl',              9.99,   3.40, false),
    ('prod_038', 'City Walks: Lisbon',               'books',       'travel',      'Wayfarer',               19.99,   7.00, true),
    ('prod_039', 'Dotted Notebook A5',               'books',       'stationery',  'Papermill',              14.50,   4.30, true),
    ('prod_040', 'Argan Oil Shampoo',                'beauty',      'hair care',   'Bellaroot',              12.99,   3.90, true),
    ('prod_041', 'Argan Oil Conditioner',            'beauty',      'hair care',   'Bellaroot',              12.99,   3.90, true),
    ('prod_042', 'Daily Hydrating Face Moisturizer', 'beauty',      'skin care',   'Dermaleaf',              24.00,   7.20, true),
    ('prod_043', 'Mineral Sunscreen SPF 50',         'beauty',      'sun care',    'Dermaleaf',              18.50,   5.60, true),
    ('prod_044', 'Beeswax Lip Balm (3-pack)',        'beauty',      'lip care',    'Bellaroot',               8.99,   2.10, true)
  ) AS v(id, name, category, subcategory, brand, price, cost, active)
  CROSS JOIN LATERAL (SELECT substr(id, 6)::int AS n) AS num
  CROSS JOIN LATERAL (SELECT timestamptz '2024-03-01 09:00:00+00'
                             + (n - 1) * interval '2 days 3 hours' AS created) AS c;

-- 25 customers; total_orders and lifetime_value are derived from orders below.
INSERT INTO customers (customer_id, email, first_name, last_name, phone, city, country,
                       created_at, updated_at)
SELECT id, email, first_name, last_name, phone, city, country, created, created
  FROM (VALUES
    ('cust_001', 'emma.johnson@example.com',     'Emma',     'Johnson',   '+1-206-555-0101', 'Seattle',       'US'),
    ('cust_002', 'liam.smith@example.com',       'Liam',     'Smith',     '+1-512-555-0102', 'Austin',        'US'),
    ('cust_003', 'olivia.brown@example.com',     'Olivia',   'Brown',     NULL,              'Toronto',       'CA'),
    ('cust_004', 'noah.garcia@example.com',      'Noah',     'Garcia',    '+34-91-555-0104', 'Madrid',        'ES'),
    ('cust_005', 'ava.martinez@example.com',     'Ava',      'Martinez',  '+1-312-555-0105', 'Chicago',       'US'),
    ('cust_006', 'lucas.mueller@example.com',    'Lucas',    'Müller',    '+49-30-555-0106', 'Berlin',        'DE'),
    ('cust_007', 'sophia.rossi@example.com',     'Sophia',   'Rossi',     NULL,              'Milan',         'IT'),
    ('cust_008', 'mateo.fernandez@example.com',  'Mateo',    'Fernández', '+54-11-555-0108', 'Buenos Aires',  'AR'),
    ('cust_009', 'isabella.dubois@example.com',  'Isabella', 'Dubois',    '+33-4-555-0109',  'Lyon',          'FR'),
    ('cust_010', 'ethan.wilson@example.com',     'Ethan',    'Wilson',    '+1-303-555-0110', 'Denver',        'US'),
    ('cust_011', 'mia.andersson@example.com',    'Mia',      'Andersson', NULL,              'Stockholm',     'SE'),
    ('cust_012', 'james.oconnor@example.com',    'James',    'O''Connor', '+353-1-555-0112', 'Dublin',        'IE'),
    ('cust_013', 'chloe.martin@example.com',     'Chloé',    'Martin',    '+33-1-555-0113',  'Paris',         'FR'),
    ('cust_014', 'benjamin.lee@example.com',     'Benjamin', 'Lee',       '+1-415-555-0114', 'San Francisco', 'US'),
    ('cust_015', 'amelia.taylor@example.com',    'Amelia',   'Taylor',    '+44-20-555-0115', 'London',        'GB'),
    ('cust_016', 'hiroshi.tanaka@example.com',   'Hiroshi',  'Tanaka',    NULL,              'Osaka',         'JP'),
    ('cust_017', 'zoe.nguyen@example.com',       'Zoe',      'Nguyen',    '+61-3-555-0117',  'Melbourne',     'AU'),
    ('cust_018', 'daniel.kowalski@example.com',  'Daniel',   'Kowalski',  '+48-22-555-0118', 'Warsaw',        'PL'),
    ('cust_019', 'grace.kim@example.com',        'Grace',    'Kim',       '+82-2-555-0119',  'Seoul',         'KR'),
    ('cust_020', 'samuel.okafor@example.com',    'Samuel',   'Okafor',    NULL,              'Lagos',         'NG'),
    ('cust_021', 'harper.davis@example.com',     'Harper',   'Davis',     '+1-617-555-0121', 'Boston',        'US'),
    ('cust_022', 'leo.jansen@example.com',       'Leo',      'Jansen',    '+31-20-555-0122', 'Amsterdam',     'NL'),
    ('cust_023', 'aisha.rahman@example.com',     'Aisha',    'Rahman',    '+971-4-555-0123', 'Dubai',         'AE'),
    ('cust_024', 'oliver.hughes@example.com',    'Oliver',   'Hughes',    NULL,              'Manchester',    'GB'),
    ('cust_025', 'lina.haddad@example.com',      'Lina',     'Haddad',    '+1-514-555-0125', 'Montreal',      'CA')
  ) AS v(id, email, first_name, last_name, phone, city, country)
  CROSS JOIN LATERAL (SELECT timestamptz '2023-11-01 12:00:00+00'
                             + (substr(id, 6)::int - 1) * interval '9 days 5 hours' AS created) AS c;

-- 120 orders, one every 19 h 7 min from 2024-09-01. The newest are still
-- processing or shipped; every 23rd was cancelled.
INSERT INTO orders (order_id, customer_id, order_date, status, payment_method,
                    created_at, updated_at)
SELECT 'ord_' || lpad(i::text, 4, '0'),
       'cust_' || lpad(((i * 7) % 25 + 1)::text, 3, '0'),
       d,
       status,
       (ARRAY['credit_card', 'paypal', 'debit_card', 'apple_pay'])[i % 4 + 1],
       d,
       d + CASE status WHEN 'delivered' THEN interval '3 days 4 hours'
                       WHEN 'shipped'   THEN interval '1 day'
                       WHEN 'cancelled' THEN interval '2 hours'
                       ELSE interval '0' END
  FROM generate_series(1, 120) AS i
  CROSS JOIN LATERAL (SELECT timestamptz '2024-09-01 08:00:00+00'
                             + (i - 1) * interval '19 hours 7 minutes' AS d) AS od
  CROSS JOIN LATERAL (SELECT CASE WHEN i > 114 THEN 'processing'
                                  WHEN i > 104 THEN 'shipped'
                                  WHEN i % 23 = 0 THEN 'cancelled'
                                  ELSE 'delivered' END AS status) AS st;

-- Baskets. Order i follows shopping pattern (5 i mod 12) + 1 (laptop with
-- mouse and sleeve, phone with case and charger, ...): its first two items
-- always, the third unless i is divisible by 7, the fourth in every other
-- round of twelve orders; about one order in four adds an unrelated product.
-- So {prod_001, prod_002} -> prod_003 has high but not perfect confidence.
WITH basket_patterns (pattern, items) AS (VALUES
    (1,  ARRAY['prod_001', 'prod_002', 'prod_003', 'prod_004']),
    (2,  ARRAY['prod_005', 'prod_006', 'prod_007', 'prod_008']),
    (3,  ARRAY['prod_011', 'prod_012', 'prod_013', 'prod_029']),
    (4,  ARRAY['prod_019', 'prod_020', 'prod_021']),
    (5,  ARRAY['prod_027', 'prod_028', 'prod_029', 'prod_032']),
    (6,  ARRAY['prod_022', 'prod_023', 'prod_024', 'prod_034']),
    (7,  ARRAY['prod_009', 'prod_010', 'prod_004']),
    (8,  ARRAY['prod_040', 'prod_041', 'prod_042']),
    (9,  ARRAY['prod_030', 'prod_031', 'prod_032', 'prod_033']),
    (10, ARRAY['prod_038', 'prod_043', 'prod_018', 'prod_029']),
    (11, ARRAY['prod_015', 'prod_016', 'prod_017']),
    (12, ARRAY['prod_026', 'prod_025', 'prod_036', 'prod_039'])
), lines AS (
    SELECT i, pos, pid
      FROM generate_series(1, 120) AS i
      JOIN basket_patterns b ON b.pattern = (i * 5) % 12 + 1
      CROSS JOIN LATERAL unnest(b.items) WITH ORDINALITY AS u(pid, pos)
     WHERE pos <= 2 OR (pos = 3 AND i % 7 <> 0) OR (pos = 4 AND (i / 12) % 2 = 0)
    UNION ALL
    SELECT i, 5, extra
      FROM generate_series(1, 120) AS i
      JOIN basket_patterns b ON b.pattern = (i * 5) % 12 + 1
      CROSS JOIN LATERAL (SELECT 'prod_' || lpad(((i * 17) / 4 % 44 + 1)::text, 3, '0') AS extra) AS e
     WHERE (i + i / 12) % 4 = 1
       AND NOT extra = ANY (b.items)
)
INSERT INTO order_items (order_id, line_number, product_id, quantity, unit_price)
SELECT 'ord_' || lpad(l.i::text, 4, '0'),
       row_number() OVER (PARTITION BY l.i ORDER BY l.pos),
       l.pid,
       CASE WHEN p.price < 20 AND (l.i + l.pos) % 3 = 0 THEN 2 ELSE 1 END,
       p.price
  FROM lines l
  JOIN products p ON p.product_id = l.pid;

UPDATE orders o
   SET shipping_cost = CASE WHEN s.subtotal >= 50 THEN 0 ELSE 5.99 END,
       total_amount  = s.subtotal + CASE WHEN s.subtotal >= 50 THEN 0 ELSE 5.99 END
  FROM (SELECT order_id, sum(quantity * unit_price) AS subtotal
          FROM order_items GROUP BY order_id) AS s
 WHERE s.order_id = o.order_id;

UPDATE customers c
   SET total_orders   = coalesce(s.n, 0),
       lifetime_value = coalesce(s.total, 0),
       updated_at     = greatest(c.created_at, coalesce(s.last_order, c.created_at))
  FROM (SELECT cu.customer_id, count(o.order_id) AS n, sum(o.total_amount) AS total,
               max(o.order_date) AS last_order
          FROM customers cu
          LEFT JOIN orders o ON o.customer_id = cu.customer_id AND o.status <> 'cancelled'
         GROUP BY cu.customer_id) AS s
 WHERE s.customer_id = c.customer_id;

-- One inventory row per product, spread over three warehouses; a handful
-- are below the reorder point of 20 and one is sold out.
INSERT INTO inventory (product_id, warehouse, quantity_on_hand, quantity_reserved,
                       quantity_available, reorder_point, last_restocked_at, updated_at)
SELECT product_id,
       (ARRAY['SEA-1', 'RNO-2', 'ATL-3'])[n % 3 + 1],
       on_hand,
       reserved,
       on_hand - reserved,
       20,
       timestamptz '2024-11-01 06:00:00+00' + n * interval '7 hours',
       timestamptz '2024-12-05 18:00:00+00' + n * interval '11 minutes'
  FROM products
  CROSS JOIN LATERAL (SELECT substr(product_id, 6)::int AS n) AS num
  CROSS JOIN LATERAL (SELECT CASE n WHEN 31 THEN 4 WHEN 8 THEN 15 ELSE (n * 37) % 150 + 5 END AS on_hand) AS oh
  CROSS JOIN LATERAL (SELECT CASE n WHEN 31 THEN 4 WHEN 8 THEN 6 ELSE (n * 13) % 12 END AS reserved) AS r;

CREATE PUBLICATION paimon_cdc FOR ALL TABLES;
