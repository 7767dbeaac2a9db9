import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { layoutFor, paneSizeOf, PANELS_MIN_COLS, SIDE_WIDTH } from '../../src/ui/layout.js';

const byWidth = { panels: null, lab: false };

describe('layout', () => {
  it('puts the panel column beside the pane from PANELS_MIN_COLS columns on', () => {
    const wide = layoutFor(PANELS_MIN_COLS, 30, byWidth);
    assert.deepEqual([wide.sideWidth, wide.topRows, wide.paneLeft, wide.paneTop], [SIDE_WIDTH, 0, SIDE_WIDTH + 1, 1]);
    assert.deepEqual([wide.termCols, wide.termRows], [PANELS_MIN_COLS - SIDE_WIDTH - 2, 30 - 2 - 2]);
  });

  it('gives a narrower terminal a status bar above a full-width pane: 80×24 leaves the shell 78 columns', () => {
    const narrow = layoutFor(80, 24, byWidth);
    assert.deepEqual([narrow.sideWidth, narrow.topRows, narrow.paneLeft, narrow.paneTop], [0, 1, 1, 2]);
    assert.deepEqual(paneSizeOf({ columns: 80, rows: 24 }, byWidth), { cols: 78, rows: 19 });
  });

  it('follows Ctrl-] p either way, whatever the width', () => {
    assert.equal(layoutFor(200, 50, { panels: false, lab: false }).sideWidth, 0);
    assert.equal(layoutFor(80, 24, { panels: true, lab: false }).sideWidth, SIDE_WIDTH);
  });

  it('widens the column for a lab as far as the shell keeps 80 columns, and gives it a band on a narrow terminal', () => {
    assert.equal(layoutFor(120, 40, { panels: null, lab: true }).sideWidth, SIDE_WIDTH + 4);
    assert.equal(layoutFor(200, 60, { panels: null, lab: true }).sideWidth, 60);
    const band = layoutFor(80, 24, { panels: null, lab: true });
    assert.deepEqual([band.sideWidth, band.labRows, band.topRows], [0, 9, 10]);
    assert.equal(band.paneTop + band.paneHeight, band.height, 'the pane ends right above the footer');
  });
});
