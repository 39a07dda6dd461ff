// The case image with zoom (wheel, buttons), pan (drag; Space or middle button while drawing), fit-to-screen,
// and the reader's boxes: draw by dragging in Draw mode, move by dragging a box, resize by its corner handles,
// delete with the Delete key. Coordinates given and returned are the original image's pixels.
import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
  type PointerEvent as ReactPointerEvent,
} from 'react';
import type { Box, Category, ModelBox } from './types.ts';

type Tool = 'pan' | 'draw';
type Corner = 'nw' | 'ne' | 'sw' | 'se';
type Drag =
  | { kind: 'pan'; startX: number; startY: number; tx: number; ty: number }
  | { kind: 'draw'; x0: number; y0: number; x1: number; y1: number }
  | { kind: 'move'; index: number; startX: number; startY: number; original: Box }
  | { kind: 'resize'; index: number; corner: Corner; original: Box };

interface Props {
  src: string | null;
  width: number;
  height: number;
  boxes: Box[];
  editable: boolean;
  marking: boolean;
  categories: Category[];
  newBoxCategory: string;
  modelBoxes: ModelBox[] | null;
  onBoxesChange: (boxes: Box[]) => void;
  onImageShown: () => void;
}

const MIN_BOX_PX = 3;
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

export function ImageViewer(props: Props) {
  const { width, height, boxes, editable, marking } = props;
  const frame = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ scale: 1, tx: 0, ty: 0 });
  const [tool, setTool] = useState<Tool>(marking && editable ? 'draw' : 'pan');
  const [drag, setDrag] = useState<Drag | null>(null);
  const [draft, setDraft] = useState<Box[] | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [spaceHeld, setSpaceHeld] = useState(false);
  const [showModel, setShowModel] = useState(true);
  const shown = draft ?? boxes;

  const fit = useCallback(() => {
    const el = frame.current;
    if (!el) return;
    const scale = Math.min(el.clientWidth / width, el.clientHeight / height) * 0.96;
    setView({ scale, tx: (el.clientWidth - width * scale) / 2, ty: (el.clientHeight - height * scale) / 2 });
  }, [width, height]);

  useLayoutEffect(() => {
    fit();
    const el = frame.current;
    if (!el) return;
    const observer = new ResizeObserver(() => fit());
    observer.observe(el);
    return () => observer.disconnect();
  }, [fit, props.src]);

  useEffect(() => setTool(marking && editable ? 'draw' : 'pan'), [marking, editable]);
  useEffect(() => setSelected(null), [props.src]);

  const zoomAt = useCallback((factor: number, cx: number, cy: number) => {
    setView((v) => {
      const scale = clamp(v.scale * factor, 0.05, 40);
      const k = scale / v.scale;
      return { scale, tx: cx - (cx - v.tx) * k, ty: cy - (cy - v.ty) * k };
    });
  }, []);

  // wheel zoom needs a non-passive listener to keep the page from scrolling
  useEffect(() => {
    const el = frame.current;
    if (!el) return;
    const onWheel = (event: WheelEvent) => {
      event.preventDefault();
      const rect = el.getBoundingClientRect();
      zoomAt(Math.exp(-event.deltaY * 0.0015), event.clientX - rect.left, event.clientY - rect.top);
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [zoomAt]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.target as HTMLElement).closest('input, textarea, select')) return;
      if (event.type === 'keydown' && event.code === 'Space') setSpaceHeld(true);
      if (event.type === 'keyup' && event.code === 'Space') setSpaceHeld(false);
      if (event.type !== 'keydown') return;
      if (event.key === 'f' || event.key === 'F') fit();
      else if ((event.key === 'b' || event.key === 'B') && marking && editable)
        setTool((t) => (t === 'draw' ? 'pan' : 'draw'));
      else if ((event.key === 'Delete' || event.key === 'Backspace') && selected !== null && editable) {
        event.preventDefault();
        props.onBoxesChange(boxes.filter((_, i) => i !== selected));
        setSelected(null);
      } else if (event.key === '+' || event.key === '=') zoomCentre(1.25);
      else if (event.key === '-') zoomCentre(0.8);
    };
    const zoomCentre = (factor: number) => {
      const el = frame.current;
      if (el) zoomAt(factor, el.clientWidth / 2, el.clientHeight / 2);
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('keyup', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('keyup', onKey);
    };
  }, [fit, zoomAt, selected, boxes, editable, marking, props]);

  const toImage = (event: { clientX: number; clientY: number }) => {
    const rect = frame.current!.getBoundingClientRect();
    return {
      x: clamp((event.clientX - rect.left - view.tx) / view.scale, 0, width),
      y: clamp((event.clientY - rect.top - view.ty) / view.scale, 0, height),
    };
  };

  const onPointerDown = (event: ReactPointerEvent) => {
    if (event.button === 2) return;
    frame.current!.setPointerCapture(event.pointerId);
    const target = event.target as Element;
    const handle = target.getAttribute('data-handle') as Corner | null;
    const boxIndex = target.getAttribute('data-box');
    const panning = event.button === 1 || spaceHeld || tool === 'pan';
    if (editable && handle && boxIndex !== null) {
      setSelected(Number(boxIndex));
      setDrag({ kind: 'resize', index: Number(boxIndex), corner: handle, original: boxes[Number(boxIndex)] });
    } else if (editable && boxIndex !== null && !(event.button === 1 || spaceHeld)) {
      const p = toImage(event);
      setSelected(Number(boxIndex));
      setDrag({
        kind: 'move',
        index: Number(boxIndex),
        startX: p.x,
        startY: p.y,
        original: boxes[Number(boxIndex)],
      });
    } else if (panning || !editable || !marking) {
      setSelected(null);
      setDrag({ kind: 'pan', startX: event.clientX, startY: event.clientY, tx: view.tx, ty: view.ty });
    } else {
      const p = toImage(event);
      setSelected(null);
      setDrag({ kind: 'draw', x0: p.x, y0: p.y, x1: p.x, y1: p.y });
    }
  };

  const onPointerMove = (event: ReactPointerEvent) => {
    if (!drag) return;
    if (drag.kind === 'pan') {
      setView((v) => ({
        ...v,
        tx: drag.tx + event.clientX - drag.startX,
        ty: drag.ty + event.clientY - drag.startY,
      }));
      return;
    }
    const p = toImage(event);
    if (drag.kind === 'draw') {
      setDrag({ ...drag, x1: p.x, y1: p.y });
    } else if (drag.kind === 'move') {
      const o = drag.original;
      const dx = clamp(p.x - drag.startX, -o.xMin, width - o.xMax);
      const dy = clamp(p.y - drag.startY, -o.yMin, height - o.yMax);
      setDraft(
        boxes.map((b, i) =>
          i === drag.index
            ? { ...o, xMin: o.xMin + dx, xMax: o.xMax + dx, yMin: o.yMin + dy, yMax: o.yMax + dy }
            : b,
        ),
      );
    } else {
      const o = drag.original;
      const next = { ...o };
      if (drag.corner.includes('w')) next.xMin = Math.min(p.x, o.xMax - 1);
      if (drag.corner.includes('e')) next.xMax = Math.max(p.x, o.xMin + 1);
      if (drag.corner.includes('n')) next.yMin = Math.min(p.y, o.yMax - 1);
      if (drag.corner.includes('s')) next.yMax = Math.max(p.y, o.yMin + 1);
      setDraft(boxes.map((b, i) => (i === drag.index ? next : b)));
    }
  };

  const onPointerUp = () => {
    if (drag?.kind === 'draw') {
      const box: Box = {
        xMin: round(Math.min(drag.x0, drag.x1)),
        yMin: round(Math.min(drag.y0, drag.y1)),
        xMax: round(Math.max(drag.x0, drag.x1)),
        yMax: round(Math.max(drag.y0, drag.y1)),
        category: props.newBoxCategory,
      };
      if (
        (box.xMax - box.xMin) * view.scale >= MIN_BOX_PX &&
        (box.yMax - box.yMin) * view.scale >= MIN_BOX_PX
      ) {
        props.onBoxesChange([...boxes, box]);
        setSelected(boxes.length);
      }
    } else if (draft) {
      props.onBoxesChange(
        draft.map((b) => ({
          ...b,
          xMin: round(b.xMin),
          yMin: round(b.yMin),
          xMax: round(b.xMax),
          yMax: round(b.yMax),
        })),
      );
    }
    setDraft(null);
    setDrag(null);
  };

  const handle = 9 / view.scale;
  // strokes are given in screen pixels: the layer is scaled by CSS, where vector-effect does not apply
  const stroke = { strokeWidth: 2 / view.scale };
  const dashed = { strokeWidth: 2 / view.scale, strokeDasharray: `${6 / view.scale} ${4 / view.scale}` };
  const cursor =
    drag?.kind === 'pan' ? 'grabbing' : tool === 'draw' && !spaceHeld && editable ? 'crosshair' : 'grab';
  const nameOf = (code: string) => props.categories.find((c) => c.code === code)?.name ?? code;

  return (
    <div className="viewer">
      <div
        ref={frame}
        className="viewer-frame"
        style={{ cursor }}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
        onContextMenu={(e) => e.preventDefault()}
        data-testid="image-frame"
      >
        <div
          className="viewer-layer"
          style={{ width, height, transform: `translate(${view.tx}px, ${view.ty}px) scale(${view.scale})` }}
        >
          {props.src && (
            <img
              src={props.src}
              width={width}
              height={height}
              alt="Case image"
              draggable={false}
              onLoad={props.onImageShown}
            />
          )}
          <svg className="boxes" viewBox={`0 0 ${width} ${height}`} width={width} height={height}>
            {showModel &&
              props.modelBoxes?.map((b, i) => (
                <rect
                  key={`m${i}`}
                  className="model-box"
                  style={dashed}
                  x={b.xMin}
                  y={b.yMin}
                  width={b.xMax - b.xMin}
                  height={b.yMax - b.yMin}
                />
              ))}
            {shown.map((b, i) => (
              <g
                key={i}
                className={i === selected ? 'reader-box selected' : 'reader-box'}
                data-testid="reader-box"
              >
                <rect
                  data-box={i}
                  style={stroke}
                  x={b.xMin}
                  y={b.yMin}
                  width={b.xMax - b.xMin}
                  height={b.yMax - b.yMin}
                >
                  <title>{nameOf(b.category)}</title>
                </rect>
                <text
                  className="box-number"
                  x={b.xMin + 3 / view.scale}
                  y={b.yMin - 4 / view.scale}
                  style={{ fontSize: 13 / view.scale }}
                >
                  {i + 1}
                </text>
                {editable &&
                  i === selected &&
                  (['nw', 'ne', 'sw', 'se'] as Corner[]).map((c) => (
                    <rect
                      key={c}
                      className="handle"
                      style={{ strokeWidth: 1 / view.scale }}
                      data-box={i}
                      data-handle={c}
                      x={(c.includes('w') ? b.xMin : b.xMax) - handle / 2}
                      y={(c.includes('n') ? b.yMin : b.yMax) - handle / 2}
                      width={handle}
                      height={handle}
                    />
                  ))}
              </g>
            ))}
            {drag?.kind === 'draw' && (
              <rect
                className="reader-box drawing"
                style={stroke}
                x={Math.min(drag.x0, drag.x1)}
                y={Math.min(drag.y0, drag.y1)}
                width={Math.abs(drag.x1 - drag.x0)}
                height={Math.abs(drag.y1 - drag.y0)}
              />
            )}
          </svg>
        </div>
      </div>
      <div className="viewer-toolbar" role="toolbar" aria-label="Image tools">
        <button className="tool" title="Fit to screen (F)" onClick={fit}>
          Fit
        </button>
        <button
          className="tool"
          title="Zoom in (+)"
          onClick={() => zoomAt(1.25, frame.current!.clientWidth / 2, frame.current!.clientHeight / 2)}
        >
          +
        </button>
        <button
          className="tool"
          title="Zoom out (−)"
          onClick={() => zoomAt(0.8, frame.current!.clientWidth / 2, frame.current!.clientHeight / 2)}
        >
          −
        </button>
        <span className="zoom-level">{Math.round(view.scale * 100)} %</span>
        {marking && editable && (
          <>
            <span className="toolbar-sep" />
            <button
              className={tool === 'pan' ? 'tool active' : 'tool'}
              aria-pressed={tool === 'pan'}
              onClick={() => setTool('pan')}
              title="Pan (B toggles)"
            >
              Pan
            </button>
            <button
              className={tool === 'draw' ? 'tool active' : 'tool'}
              aria-pressed={tool === 'draw'}
              onClick={() => setTool('draw')}
              title="Draw boxes (B toggles)"
            >
              Draw box
            </button>
            {selected !== null && (
              <button
                className="tool danger"
                onClick={() => {
                  props.onBoxesChange(boxes.filter((_, i) => i !== selected));
                  setSelected(null);
                }}
              >
                Delete box
              </button>
            )}
          </>
        )}
        {props.modelBoxes && props.modelBoxes.length > 0 && (
          <label className="tool-check">
            <input type="checkbox" checked={showModel} onChange={(e) => setShowModel(e.target.checked)} /> AI
            boxes
          </label>
        )}
      </div>
    </div>
  );
}

const round = (v: number) => Math.round(v * 10) / 10;
