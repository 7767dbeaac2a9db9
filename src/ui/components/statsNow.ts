/** The live lines' figures: the latest, read from the store as the pane painter draws them (see LiveText and App). */
import { createContext, useContext } from 'react';
import type { LiveStats, Sample } from '../types.js';

/** The current run's figures: the last poll, and memory in use as it changed. */
export interface StatsNow {
  stats: LiveStats | null;
  memorySamples: readonly Sample[];
}

/**
 * The figures as they are now (the store's), for the live lines that show them: with one, a poll that changes
 * figures only is drawn by the pane painter, line by line, and costs no Ink frame (see App). Without one
 * (component tests), the lines show the figures they were rendered with.
 */
export const LatestStatsContext = createContext<(() => StatsNow) | null>(null);

/** What live lines read the figures from: the latest, where there is a LatestStatsContext, else `rendered`. */
export function useStatsNow(rendered: StatsNow): () => StatsNow {
  const latest = useContext(LatestStatsContext);
  return latest ?? (() => rendered);
}
