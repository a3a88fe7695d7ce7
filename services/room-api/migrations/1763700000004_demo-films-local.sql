-- Up Migration
-- The demo films play from this project's own server: small WebM files generated at build time
-- (packages/web/scripts/make-films.mjs, Debian's ffmpeg) and served by room-api under /media/
-- with Range support. The upstream files were MKV/MOV/MP4 downloads browsers mostly cannot play
-- and tests cannot reach. Relative URLs: the page and the films share room-api's origin.
UPDATE films SET stream_url = '/media/' || id || '.webm', poster_url = '/media/' || id || '.jpg', duration_sec = 60
WHERE id IN ('big-buck-bunny', 'sintel', 'tears-of-steel', 'elephants-dream', 'cosmos-laundromat');

-- Down Migration
UPDATE films SET stream_url = v.stream_url, poster_url = v.poster_url, duration_sec = v.duration_sec
FROM (VALUES
  ('big-buck-bunny', 'https://download.blender.org/peach/bigbuckbunny_movies/BigBuckBunny_320x180.mp4',
   'https://peach.blender.org/wp-content/uploads/title_anouncement.jpg', 596),
  ('sintel', 'https://download.blender.org/durian/movies/Sintel.2010.720p.mkv',
   'https://durian.blender.org/wp-content/uploads/2010/06/05.8b_comp_000272.jpg', 888),
  ('tears-of-steel', 'https://download.blender.org/demo/movies/ToS/tears_of_steel_720p.mov',
   'https://mango.blender.org/wp-content/uploads/2013/05/01_thom_celia_bridge.jpg', 734),
  ('elephants-dream', 'https://download.blender.org/ED/ElephantsDream.mp4', NULL, 654),
  ('cosmos-laundromat', 'https://download.blender.org/demo/movies/cosmos_laundromat.mp4', NULL, 730)
) AS v (id, stream_url, poster_url, duration_sec)
WHERE films.id = v.id;
