/** Builds the panel's sections (in reading order) and keeps the views that draw into them. */
import type { ChapterInfo } from '../src/shared/course/chapter';
import { AttentionPanel } from './attentionPanel';
import { TrainingCharts } from './charts';
import { RunControls } from './controls';
import { el, section } from './dom';
import { FiguresView } from './figures';
import { FillIn } from './fillIn';
import { GradientChart } from './gradientChart';
import { t } from './i18n';
import { Header } from './header';
import type { MessageRegion } from './messages';
import { SelectionHistogram } from './selectionHistogram';
import { SamplingPanel } from './samplingPanel';
import { TryIt } from './tryIt';

export interface LabUi {
  header: Header;
  messages: MessageRegion;
  contract: HTMLElement;
  charts: TrainingCharts;
  /** Gradient norms per weight group, shown under the curves when step records carry them. */
  gradients: GradientChart;
  figures: FiguresView;
  attention: AttentionPanel;
  shapes: HTMLElement;
  samples: HTMLElement;
  tryIt: TryIt;
  /** Masked language models: fill-in (in place of Try it) and the selection histogram. */
  fill: FillIn;
  selection: SelectionHistogram;
  /** Sampling a language model (shown for such runs only). */
  sampling: SamplingPanel;
  controls: RunControls;
  /** Sections by id, to show or hide by view. */
  sections: Record<SectionId, HTMLElement>;
}

export type SectionId =
  'charts' | 'sampling' | 'selection' | 'figures' | 'attention' | 'shapes' | 'samples' | 'try' | 'fill' | 'controls';

export function buildLayout(
  root: HTMLElement,
  messages: MessageRegion,
  chapter: ChapterInfo,
  separator: string,
  onStateChange: () => void,
): LabUi {
  const header = new Header();
  const charts = new TrainingCharts(chapter);
  const gradients = new GradientChart(chapter);
  const figures = new FiguresView();
  const attention = new AttentionPanel(separator, onStateChange);
  const shapes = el('div', { className: 'shapes' });
  const samples = el('div', { className: 'samples-body' });
  const tryIt = new TryIt(separator);
  const fill = new FillIn();
  const selection = new SelectionHistogram();
  const sampling = new SamplingPanel();
  const controls = new RunControls(chapter, (message) => messages.add(message));
  const part = (id: string, title: string, content: HTMLElement): HTMLElement => {
    const s = section(id, title);
    s.body.appendChild(content);
    return s.root;
  };
  const contract = el('div', { className: 'contract' });
  const contractSection = el(
    'details',
    { className: 'panel-section contract-section', attrs: { id: 'contract', open: true } },
    [el('summary', {}, [el('h2', { text: t('contractTitle') })]), contract],
  );
  const sections: Record<SectionId, HTMLElement> = {
    charts: part('charts-section', t('chartsTitle'), el('div', {}, [charts.root, gradients.root])),
    selection: part('selection-section', t('selectionTitle'), selection.root),
    sampling: part('sampling-section', t('samplingTitle'), sampling.root),
    figures: part('figures-section', t('figuresTitle'), figures.root),
    attention: part('attention-section', t('attentionTitle'), attention.root),
    shapes: part('shapes-section', t('shapesTitle'), shapes),
    samples: part('samples-section', t('samplesTitle'), samples),
    try: part('try-section', t('tryTitle'), tryIt.root),
    fill: part('fill-section', t('fillTitle'), fill.root),
    controls: part('controls-section', t('controlsTitle'), controls.root),
  };
  root.replaceChildren(
    header.root,
    messages.root,
    el('main', { className: 'lab-main' }, [contractSection, ...Object.values(sections)]),
  );
  return {
    header,
    messages,
    contract,
    charts,
    gradients,
    figures,
    attention,
    shapes,
    samples,
    tryIt,
    fill,
    selection,
    sampling,
    controls,
    sections,
  };
}
