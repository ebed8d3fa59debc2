// The page loads uPlot from /assets/uplot.js (node_modules/uplot/dist/uPlot.esm.js, served by the dashboard function).
import uPlot from 'uplot';
export default uPlot;
