"""InfluxDB time-series sink: the one wrapper around influxdb-client (`client.py`)."""

from adapters.influx.client import InfluxTarget, InfluxWriter, Sample, line_protocol

__all__ = ["InfluxTarget", "InfluxWriter", "Sample", "line_protocol"]
