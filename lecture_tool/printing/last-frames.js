// Each animated GIF becomes a PNG of its last frame (decoded in the page by ImageDecoder, which
// composes frames as the browser shows them), so that the PDF shows the complete picture.
// One function expression: lecture pdf hands it to Playwright's page.evaluate().
async (gifs) => {
  if (typeof ImageDecoder === 'undefined') return;
  const frames = {};
  for (const [url, data] of Object.entries(gifs)) {
    try {
      const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
      const decoder = new ImageDecoder({data: bytes, type: 'image/gif'});
      await decoder.tracks.ready;
      await decoder.completed;
      const count = decoder.tracks.selectedTrack.frameCount;
      if (count < 2) { decoder.close(); continue; }
      const {image} = await decoder.decode({frameIndex: count - 1});
      const canvas = document.createElement('canvas');
      canvas.width = image.displayWidth;
      canvas.height = image.displayHeight;
      canvas.getContext('2d').drawImage(image, 0, 0);
      image.close();
      decoder.close();
      frames[url] = canvas.toDataURL('image/png');
    } catch (error) { /* not decodable: it prints as the browser shows it */ }
  }
  const waits = [];
  for (const img of document.querySelectorAll('.remark-slides-area img')) {
    const frame = frames[img.currentSrc || img.src];
    if (frame) {
      img.src = frame;
      waits.push(img.decode().catch(() => null));
    }
  }
  await Promise.all(waits);
}
