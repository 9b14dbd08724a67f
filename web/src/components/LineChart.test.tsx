import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { LineChart, linePath, niceMax } from "./LineChart";

describe("LineChart", () => {
  it("rounds the scale up to 1, 2, 5 × 10^n", () => {
    expect(niceMax(0)).toBe(1);
    expect(niceMax(7)).toBe(10);
    expect(niceMax(130)).toBe(200);
    expect(niceMax(0.4)).toBe(0.5);
  });
  it("breaks the line at missing samples instead of drawing zeros", () => {
    const d = linePath([1, 2, null, 4], 4);
    expect(d.match(/M/g)).toHaveLength(2);
    expect(d).toContain("L");
    expect(linePath([null, null], 1)).toBe("");
  });
  it("keeps a line at the maximum or at zero off the chart's frame", () => {
    expect(linePath([0, 4], 4)).toBe("M0.0 146.0L600.0 4.0");
  });
  it("summarises the latest values for screen readers", () => {
    render(
      <LineChart
        title="Latency"
        timestamps={[1000, 2000, 3000]}
        series={[
          { label: "p50", values: [1, 2, null], tone: "a" },
          { label: "p99", values: [5, 9, 8], tone: "b" },
        ]}
        format={(v) => `${v} µs`}
      />,
    );
    expect(screen.getByRole("img", { name: "Latency: latest p50 2 µs, p99 8 µs" })).toBeTruthy();
  });
});
