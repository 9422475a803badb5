import { useEffect, useRef, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useClient } from '../../lib/client';
import { keys } from '../../lib/queries';
import { useDarkMode } from '../../lib/theme';
import { ErrorMessage, Select } from '../../components/ui';

const RANGES = {
  '7d': { label: 'Last 7 days', range: 'LAST_7_DAYS', granularity: 'DAY' },
  '30d': { label: 'Last 30 days', range: 'LAST_30_DAYS', granularity: 'DAY' },
  '12m': { label: 'Last 12 months', range: 'LAST_12_MONTHS', granularity: 'MONTH' },
  all: { label: 'All time', range: 'ALL_TIME', granularity: 'MONTH' },
} as const;
type RangeKey = keyof typeof RANGES;

/** "Users active over time": distinct active members per day or month, with the range dropdown. */
export default function ActiveUsersChart({ org }: { org: string }) {
  const client = useClient();
  const [key, setKey] = useState<RangeKey>('30d');
  const choice = RANGES[key];
  const series = useQuery({
    queryKey: keys.orgPart(org, `active-users-${key}`),
    queryFn: () => client.activeUsers({ organization: org, range: choice.range, granularity: choice.granularity }),
  });
  const data = series.data;
  const latest = data?.series[data.series.length - 1]?.activeUsers;
  return (
    <section className="card chart-card" aria-labelledby="active-users-title">
      <div className="row" style={{ marginBottom: '0.5rem' }}>
        <h2 id="active-users-title" style={{ margin: 0 }}>
          Users active over time
        </h2>
        <span className="spacer" />
        <div style={{ width: 180 }}>
          <Select
            label="Period"
            value={key}
            onValueChange={(v) => setKey(v as RangeKey)}
            options={Object.entries(RANGES).map(([value, r]) => ({ value, label: r.label }))}
          />
        </div>
      </div>
      <ErrorMessage error={series.error} />
      {data ? (
        <>
          <p className="hint" data-testid="active-users-summary">
            {data.activeUsers} active {data.activeUsers === 1 ? 'user' : 'users'} and {data.newMembers} new{' '}
            {data.newMembers === 1 ? 'member' : 'members'} in this period;{' '}
            {choice.granularity === 'DAY' ? 'today' : 'this month'}:{' '}
            <strong data-testid="active-users-latest">{latest ?? 0}</strong>.
          </p>
          <Plot
            starts={data.series.map((p) => p.start)}
            values={data.series.map((p) => p.activeUsers)}
            monthly={choice.granularity === 'MONTH'}
          />
          <table className="sr-only">
            <caption>Users active per {choice.granularity === 'DAY' ? 'day' : 'month'}</caption>
            <tbody>
              {data.series.slice(-12).map((p) => (
                <tr key={p.start}>
                  <th scope="row">{p.start.slice(0, 10)}</th>
                  <td>{p.activeUsers}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}

function Plot({ starts, values, monthly }: { starts: string[]; values: number[]; monthly: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  const dark = useDarkMode();
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const axis = { stroke: dark ? '#a3abb5' : '#59616b', grid: { stroke: dark ? '#2c3138' : '#e6e8eb' } };
    const xs = starts.map((s) => new Date(s).getTime() / 1000);
    const plot = new uPlot(
      {
        width: Math.max(280, el.clientWidth),
        height: 220,
        scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        axes: [
          { ...axis, values: monthly ? '{MMM} {YYYY}' : '{MMM} {D}' },
          { ...axis, values: (_u, splits) => splits.map((v) => (Number.isInteger(v) ? String(v) : '')) },
        ],
        series: [
          {},
          {
            label: 'Active users',
            stroke: dark ? '#8ea2ff' : '#2f4bc9',
            fill: dark ? 'rgba(142,162,255,0.15)' : 'rgba(47,75,201,0.12)',
            width: 2,
            points: { show: xs.length <= 31 },
          },
        ],
        legend: { show: false },
      },
      [xs, values],
      el,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(280, el.clientWidth), height: 220 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [starts, values, monthly, dark]);
  return <div ref={ref} className="chart" data-testid="active-users-chart" aria-hidden="true" />;
}
