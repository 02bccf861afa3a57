"""What the Airflow DAG's tasks do, and how the demo and the tests run Airflow."""
