-- Up Migration
-- A few openly licensed films so the stack is usable on its own.
INSERT INTO films (id, title, year, duration_sec, stream_url, poster_url, description) VALUES
  ('big-buck-bunny', 'Big Buck Bunny', 2008, 596,
   'https://download.blender.org/peach/bigbuckbunny_movies/BigBuckBunny_320x180.mp4',
   'https://peach.blender.org/wp-content/uploads/title_anouncement.jpg',
   'A giant rabbit takes on three bullying rodents.'),
  ('sintel', 'Sintel', 2010, 888,
   'https://download.blender.org/durian/movies/Sintel.2010.720p.mkv',
   'https://durian.blender.org/wp-content/uploads/2010/06/05.8b_comp_000272.jpg',
   'A lonely young woman searches for her baby dragon.'),
  ('tears-of-steel', 'Tears of Steel', 2012, 734,
   'https://download.blender.org/demo/movies/ToS/tears_of_steel_720p.mov',
   'https://mango.blender.org/wp-content/uploads/2013/05/01_thom_celia_bridge.jpg',
   'Warriors and scientists try to save the world from robots.'),
  ('elephants-dream', 'Elephants Dream', 2006, 654,
   'https://download.blender.org/ED/ElephantsDream.mp4', NULL,
   'Two men explore a strange mechanical world.'),
  ('cosmos-laundromat', 'Cosmos Laundromat', 2015, 730,
   'https://download.blender.org/demo/movies/cosmos_laundromat.mp4', NULL,
   'A suicidal sheep meets a mysterious salesman.')
ON CONFLICT (id) DO NOTHING;

-- Down Migration
DELETE FROM films WHERE id IN ('big-buck-bunny', 'sintel', 'tears-of-steel', 'elephants-dream', 'cosmos-laundromat');
